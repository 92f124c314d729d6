import { relationTo, type Dispute, type Proposal } from '@dispute-room/shared';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../api/http';
import { centsToInput, formatMoney, isValidSplit, parseMoney } from '../../lib/money';
import { roleInDispute } from '../../lib/people';
import { relativeTime } from '../../lib/time';
import { selectNow, useClock } from '../../stores/clock';
import { useProposals } from '../../stores/proposals';
import { selectUser, selectZone, useSession } from '../../stores/session';
import { ProposalDecision, useCanDecide, useProposalNumber } from './ProposalDecision';
import { useNameOf } from './useNames';
import { Field } from '../Field';
import { Names } from '../Names';

/**
 * Where a new offer starts: the terms on the table (the newest pending proposal), else what
 * the claimant asked for; never an arbitrary half.
 */
export function startingClientCents(dispute: Dispute, pending: Proposal | undefined): number {
  if (pending) return pending.clientCents;
  const claimantIsClient = dispute.claimantId === dispute.clientId;
  return claimantIsClient ? dispute.claimCents : dispute.escrowCents - dispute.claimCents;
}

/** Two linked amounts and a slider: whatever is changed, the shares add up to the escrow. */
function ProposalForm({
  dispute,
  recommend,
  startCents,
}: {
  dispute: Dispute;
  recommend: boolean;
  startCents: number;
}) {
  const escrow = dispute.escrowCents;
  const [clientCents, setClientCents] = useState(startCents);
  const [clientText, setClientText] = useState(centsToInput(startCents));
  const [freelancerText, setFreelancerText] = useState(centsToInput(escrow - startCents));
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const create = useProposals((s) => s.create);
  const ids = { slider: useId(), client: useId(), freelancer: useId(), note: useId() };
  const { t } = useTranslation();

  const setClient = (cents: number) => {
    setClientCents(cents);
    setClientText(centsToInput(cents));
    setFreelancerText(centsToInput(escrow - cents));
  };

  // New terms on the table (someone made an offer): start again from them.
  const [startedFrom, setStartedFrom] = useState(startCents);
  if (startCents !== startedFrom) {
    setStartedFrom(startCents);
    setClient(startCents);
  }

  const onAmount = (side: 'client' | 'freelancer', text: string) => {
    if (side === 'client') setClientText(text);
    else setFreelancerText(text);
    const cents = parseMoney(text);
    if (cents === null || cents > escrow) return;
    const client = side === 'client' ? cents : escrow - cents;
    setClientCents(client);
    if (side === 'client') setFreelancerText(centsToInput(escrow - client));
    else setClientText(centsToInput(client));
  };

  const freelancerCents = escrow - clientCents;
  const valid =
    isValidSplit(clientCents, freelancerCents, escrow) &&
    parseMoney(clientText) === clientCents &&
    parseMoney(freelancerText) === freelancerCents;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!valid) return;
    setBusy(true);
    setError(null);
    setSent(false);
    try {
      await create(dispute.id, {
        clientCents,
        freelancerCents,
        ...(note.trim() ? { note: note.trim() } : {}),
      });
      setNote('');
      setSent(true);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="proposal-form card-inset stack" onSubmit={submit} data-testid="proposal-form">
      <h2 className="panel-subtitle">
        {recommend ? t('offers.recommendTitle') : t('offers.offerTitle')}
      </h2>
      <p className="muted small">
        {t('offers.splitHint', { escrow: formatMoney(escrow, dispute.currency) })}
      </p>
      <label htmlFor={ids.slider} className="sr-only">
        {t('offers.clientShare')}
      </label>
      <input
        id={ids.slider}
        type="range"
        min={0}
        max={escrow}
        step={escrow >= 10_000 ? 100 : 1}
        value={clientCents}
        onChange={(e) => setClient(Number(e.target.value))}
        aria-valuetext={t('offers.valueText', {
          client: formatMoney(clientCents, dispute.currency),
          freelancer: formatMoney(freelancerCents, dispute.currency),
        })}
      />
      <div className="split-inputs">
        <Field id={ids.client} label={t('offers.clientReceives')}>
          <input
            id={ids.client}
            inputMode="decimal"
            value={clientText}
            onChange={(e) => onAmount('client', e.target.value)}
            data-testid="proposal-client-amount"
          />
        </Field>
        <Field id={ids.freelancer} label={t('offers.freelancerReceives')}>
          <input
            id={ids.freelancer}
            inputMode="decimal"
            value={freelancerText}
            onChange={(e) => onAmount('freelancer', e.target.value)}
            data-testid="proposal-freelancer-amount"
          />
        </Field>
      </div>
      {!valid && (
        <p className="field-hint error">
          {t('offers.mustAddUp', { escrow: formatMoney(escrow, dispute.currency) })}
        </p>
      )}
      <label htmlFor={ids.note} className="field-label">
        {t('common.optionalNote')}
      </label>
      <textarea
        id={ids.note}
        rows={2}
        maxLength={2000}
        value={note}
        onChange={(e) => setNote(e.target.value)}
      />
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {sent && (
        <p className="form-success" role="status">
          {recommend ? t('offers.recommendationMade') : t('offers.offerMade')}
        </p>
      )}
      <div className="button-row">
        <button
          type="submit"
          className="btn btn-primary"
          disabled={!valid || busy}
          data-testid="proposal-submit"
        >
          {busy
            ? t('offers.submitting')
            : recommend
              ? t('offers.recommendSubmit')
              : t('offers.offerSubmit')}
        </button>
      </div>
    </form>
  );
}

function ProposalCard({ proposal, dispute }: { proposal: Proposal; dispute: Dispute }) {
  const zone = useSession(selectZone);
  const now = useClock(selectNow);
  const nameOf = useNameOf();
  const number = useProposalNumber(proposal.id);
  const canDecide = useCanDecide(proposal, dispute);
  const authorSeat = roleInDispute(proposal.authorId, dispute);
  const { t } = useTranslation();
  const share = dispute.escrowCents > 0 ? (proposal.clientCents / dispute.escrowCents) * 100 : 50;

  return (
    <li
      className={`proposal-card status-${proposal.status}${canDecide ? ' awaiting-you' : ''}`}
      data-testid="proposal"
      data-proposal-id={proposal.id}
      data-status={proposal.status}
    >
      <div className="proposal-head">
        <span className="proposal-author">
          {t(authorSeat === 'mediator' ? 'offers.recommendationBy' : 'offers.offerBy', {
            number: number !== null ? ` #${number}` : '',
          })}{' '}
          <bdi>{nameOf(proposal.authorId)}</bdi>
        </span>
        <span className={`badge proposal-${proposal.status}`}>
          {t(`offers.status.${proposal.status}`)}
        </span>
      </div>
      <div className="split-bar" aria-hidden="true">
        <span className="split-client" style={{ width: `${share}%` }} />
      </div>
      <dl className="split-amounts">
        <div>
          <dt>{t('role.client')}</dt>
          <dd>{formatMoney(proposal.clientCents, dispute.currency)}</dd>
        </div>
        <div>
          <dt>{t('role.freelancer')}</dt>
          <dd>{formatMoney(proposal.freelancerCents, dispute.currency)}</dd>
        </div>
      </dl>
      {proposal.note && (
        <p className="proposal-note" dir="auto">
          {proposal.note}
        </p>
      )}
      <p className="muted small">
        {relativeTime(proposal.createdAt, new Date(now), zone)}
        {proposal.acceptedBy.length > 0 && (
          <span data-testid="proposal-accepted-by">
            {' '}
            · {t('offers.acceptedBy')}{' '}
            <Names
              names={proposal.acceptedBy.map((id) => nameOf(id))}
              separator={t('common.listAnd')}
            />
          </span>
        )}
      </p>
      {canDecide && <ProposalDecision proposal={proposal} dispute={dispute} />}
    </li>
  );
}

/** Offers and recommendations: accept or reject as a party, or make a new one. */
export function ProposalsPanel({ dispute }: { dispute: Dispute }) {
  const items = useProposals((s) => s.items);
  const status = useProposals((s) => s.status);
  const error = useProposals((s) => s.error);
  const user = useSession(selectUser);
  const { t } = useTranslation();

  useEffect(() => {
    void useProposals.getState().load(dispute.id);
  }, [dispute.id]);

  const relation = user ? relationTo(user, dispute) : 'outsider';
  const isParty = relation === 'client' || relation === 'freelancer';
  const mayPropose =
    (isParty && (dispute.state === 'open' || dispute.state === 'mediation')) ||
    (relation === 'assigned_mediator' && dispute.state === 'mediation');
  const pending = items.find((p) => p.status === 'pending');
  // The offer waiting for the viewer's answer comes before making a new one.
  const awaiting =
    isParty && pending && user && !pending.acceptedBy.includes(user.id) ? pending : undefined;
  const history = items.filter((p) => p !== awaiting);

  return (
    <div className="proposals-panel" data-testid="proposals-panel">
      {awaiting && (
        <section aria-labelledby="awaiting-title" data-testid="proposal-awaiting">
          <h2 id="awaiting-title" className="panel-subtitle">
            {t('offers.awaiting')}
          </h2>
          <ul className="proposal-list">
            <ProposalCard proposal={awaiting} dispute={dispute} />
          </ul>
        </section>
      )}
      {mayPropose && status !== 'loading' && (
        <ProposalForm
          dispute={dispute}
          recommend={relation === 'assigned_mediator'}
          startCents={startingClientCents(dispute, pending)}
        />
      )}
      {status === 'error' && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {status === 'ready' && items.length === 0 && <p className="muted">{t('offers.none')}</p>}
      {history.length > 0 && (
        <ul className="proposal-list" aria-label={t('offers.made')}>
          {history.map((p) => (
            <ProposalCard key={p.id} proposal={p} dispute={dispute} />
          ))}
        </ul>
      )}
    </div>
  );
}
