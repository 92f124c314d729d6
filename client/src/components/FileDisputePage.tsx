import { isTerminal, reasons, type Contract, type Reason } from '@dispute-room/shared';
import { useEffect, useState, type FormEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { contractsApi, disputesApi } from '../api/endpoints';
import { ApiRequestError, errorMessage } from '../api/http';
import { reasonLabels, stateLabels } from '../lib/disputes';
import { formatMoney, parseMoney } from '../lib/money';
import { paths } from '../lib/routes';
import { useDisputes } from '../stores/disputes';
import { navigate } from '../stores/router';
import { Field } from './Field';
import { Link } from './Link';

/** A client or freelancer opens a dispute on one of their contracts. */
export function FileDisputePage() {
  const [contracts, setContracts] = useState<Contract[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [contractId, setContractId] = useState('');
  const [reason, setReason] = useState<Reason>('quality');
  const [description, setDescription] = useState('');
  const [claim, setClaim] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [conflictId, setConflictId] = useState<string | null>(null);
  const { t } = useTranslation();

  useEffect(() => {
    void useDisputes.getState().load();
  }, []);

  useEffect(() => {
    let live = true;
    contractsApi
      .list()
      .then(({ contracts }) => {
        if (!live) return;
        setContracts(contracts);
        const first = contracts[0];
        if (first) setContractId(first.id);
      })
      .catch((err: unknown) => live && setLoadError(errorMessage(err)));
    return () => {
      live = false;
    };
  }, []);

  const contract = contracts?.find((c) => c.id === contractId) ?? null;
  const claimCents = parseMoney(claim);
  const claimValid =
    claimCents !== null &&
    contract !== null &&
    claimCents >= 1 &&
    claimCents <= contract.escrowCents;
  // A contract holds one dispute at a time: say so, with the way there, before anyone writes.
  const active = useDisputes((s) =>
    Object.values(s.byId).find((d) => d.contractId === contractId && !isTerminal(d.state)),
  );
  const canSubmit =
    contract !== null && !active && claimValid && description.trim().length > 0 && !busy;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!canSubmit || claimCents === null || !contract) return;
    setBusy(true);
    setError(null);
    try {
      const { dispute } = await disputesApi.file({
        contractId: contract.id,
        reason,
        description: description.trim(),
        claimCents,
      });
      useDisputes.getState().upsert(dispute);
      navigate(paths.dispute(dispute.id));
    } catch (err) {
      const conflict = err instanceof ApiRequestError && err.status === 409;
      const details = conflict ? (err.details as { disputeId?: unknown } | undefined) : undefined;
      setConflictId(typeof details?.disputeId === 'string' ? details.disputeId : null);
      setError(conflict ? t('file.conflict') : errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <div className="page narrow">
      <header className="page-header">
        <h1>{t('nav.file')}</h1>
        <p className="muted">{t('file.intro')}</p>
      </header>
      {loadError && (
        <p className="form-error" role="alert">
          {t('file.loadError', { error: loadError })}
        </p>
      )}
      {contracts && contracts.length === 0 && <p className="muted">{t('file.noContracts')}</p>}
      {contracts && contracts.length > 0 && (
        <form className="card stack" onSubmit={submit} data-testid="file-dispute-form">
          <Field id="file-contract" label={t('file.contract')}>
            <select
              id="file-contract"
              value={contractId}
              onChange={(e) => {
                setContractId(e.target.value);
              }}
            >
              {contracts.map((c) => (
                <option key={c.id} value={c.id}>
                  {t('file.contractOption', {
                    title: c.title,
                    escrow: formatMoney(c.escrowCents, c.currency),
                  })}
                </option>
              ))}
            </select>
          </Field>
          {active && (
            <p className="callout-note" role="status" data-testid="file-active-dispute">
              <Trans
                i18nKey="file.active"
                values={{ number: active.number, state: stateLabels[active.state] }}
                components={{ a: <Link to={paths.dispute(active.id)} /> }}
              />
            </p>
          )}
          <Field id="file-reason" label={t('details.reason')}>
            <select
              id="file-reason"
              value={reason}
              onChange={(e) => setReason(e.target.value as Reason)}
            >
              {reasons.map((r) => (
                <option key={r} value={r}>
                  {reasonLabels[r]}
                </option>
              ))}
            </select>
          </Field>
          <Field id="file-description" label={t('file.what')}>
            <textarea
              id="file-description"
              rows={6}
              maxLength={10_000}
              value={description}
              onChange={(e) => setDescription(e.target.value)}
              required
            />
          </Field>
          <Field
            id="file-claim"
            label={
              contract ? t('file.amountIn', { currency: contract.currency }) : t('file.amount')
            }
          >
            <input
              id="file-claim"
              inputMode="decimal"
              value={claim}
              onChange={(e) => setClaim(e.target.value)}
              required
              aria-invalid={claim !== '' && !claimValid}
              aria-describedby="file-claim-hint"
            />
            <p
              id="file-claim-hint"
              className={claim === '' || claimValid ? 'field-hint' : 'field-hint error'}
            >
              {contract
                ? t('file.between', {
                    min: formatMoney(1, contract.currency),
                    max: formatMoney(contract.escrowCents, contract.currency),
                  })
                : ''}
            </p>
          </Field>
          {error && (
            <p className="form-error" role="alert">
              {error}
              {conflictId && (
                <>
                  {' '}
                  <Link to={paths.dispute(conflictId)}>{t('file.openIt')}</Link>
                </>
              )}
            </p>
          )}
          <div className="button-row">
            <button type="submit" className="btn btn-primary" disabled={!canSubmit}>
              {busy ? t('file.filing') : t('file.submit')}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
