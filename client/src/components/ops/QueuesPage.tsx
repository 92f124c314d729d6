import { jobQueues, type QueueSummary } from '@dispute-room/shared';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { queuesApi } from '../../api/endpoints';
import { errorMessage } from '../../api/http';
import { translatedLabels } from '../../lib/labels';
import { dateTimeLabel } from '../../lib/time';
import { selectZone, useSession } from '../../stores/session';

/** What each queue carries, for the people who look at it. */
const queueLabels = translatedLabels('queues.name', jobQueues);

const REFRESH_MS = 10_000;

/** Admin: the background queues, their dead letters with the error, and a retry for each. */
export function QueuesPage() {
  const zone = useSession(selectZone);
  const [queues, setQueues] = useState<QueueSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [retrying, setRetrying] = useState<string | null>(null);
  const { t } = useTranslation();

  const load = useCallback(async () => {
    try {
      setQueues((await queuesApi.list()).queues);
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, []);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  const retry = async (queue: QueueSummary['name'], jobId: string) => {
    setRetrying(jobId);
    try {
      await queuesApi.retry(queue, jobId);
      await load();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setRetrying(null);
    }
  };

  return (
    <section className="page queues-page" aria-labelledby="queues-title">
      <header className="page-header">
        <h1 id="queues-title">{t('queues.title')}</h1>
        <button type="button" className="btn btn-neutral" onClick={() => void load()}>
          {t('queues.refresh')}
        </button>
      </header>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {!queues && !error && <p className="muted">{t('app.loading')}</p>}
      {queues?.map((q) => (
        <section key={q.name} className="queue" aria-labelledby={`queue-${q.name}`}>
          <h2 id={`queue-${q.name}`}>{queueLabels[q.name]}</h2>
          <dl className="queue-counts" data-testid={`queue-counts-${q.name}`}>
            {(['waiting', 'active', 'delayed', 'completed', 'failed'] as const).map((k) => (
              <div key={k}>
                <dt>{t(`queues.count.${k}`)}</dt>
                <dd>{q.counts[k]}</dd>
              </div>
            ))}
          </dl>
          {q.failed.length === 0 ? (
            <p className="muted">{t('queues.noFailed')}</p>
          ) : (
            <div className="table-scroll">
              <table className="chart-table" data-testid={`queue-failed-${q.name}`}>
                <caption className="sr-only">
                  {t('queues.failedOf', { queue: queueLabels[q.name] })}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">{t('queues.job')}</th>
                    <th scope="col">{t('queues.error')}</th>
                    <th scope="col">{t('queues.attempts')}</th>
                    <th scope="col">{t('queues.failed')}</th>
                    <th scope="col">
                      <span className="sr-only">{t('queues.action')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {q.failed.map((job) => (
                    <tr key={job.id}>
                      <th scope="row">
                        <code>{job.id}</code>
                      </th>
                      <td>{job.failedReason}</td>
                      <td>{job.attemptsMade}</td>
                      <td>{job.failedAt ? dateTimeLabel(job.failedAt, zone) : '—'}</td>
                      <td>
                        <button
                          type="button"
                          className="btn btn-neutral"
                          disabled={retrying === job.id}
                          onClick={() => void retry(q.name, job.id)}
                        >
                          {t('common.retry')}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ))}
    </section>
  );
}
