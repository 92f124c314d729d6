import { isTerminal, reasons, type Contract, type Reason } from '@dispute-room/shared';
import { useEffect, useState, type FormEvent } from 'react';
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
      setError(conflict ? 'This contract already has a dispute in progress.' : errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <div className="page narrow">
      <header className="page-header">
        <h1>File a dispute</h1>
        <p className="muted">
          The other side has five business days to respond. If they reject your claim, a mediator
          joins the conversation.
        </p>
      </header>
      {loadError && (
        <p className="form-error" role="alert">
          Could not load your contracts: {loadError}
        </p>
      )}
      {contracts && contracts.length === 0 && (
        <p className="muted">You have no contract to open a dispute on.</p>
      )}
      {contracts && contracts.length > 0 && (
        <form className="card stack" onSubmit={submit} data-testid="file-dispute-form">
          <Field id="file-contract" label="Contract">
            <select
              id="file-contract"
              value={contractId}
              onChange={(e) => {
                setContractId(e.target.value);
              }}
            >
              {contracts.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.title} · {formatMoney(c.escrowCents, c.currency)} in escrow
                </option>
              ))}
            </select>
          </Field>
          {active && (
            <p className="callout-note" role="status" data-testid="file-active-dispute">
              This contract already has a dispute in progress:{' '}
              <Link to={paths.dispute(active.id)}>
                {active.number} ({stateLabels[active.state].toLowerCase()})
              </Link>
              . Continue there; a contract holds one dispute at a time.
            </p>
          )}
          <Field id="file-reason" label="Reason">
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
          <Field id="file-description" label="What went wrong?">
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
            label={<>Amount you claim {contract ? `(${contract.currency})` : ''}</>}
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
                ? `Between ${formatMoney(1, contract.currency)} and ${formatMoney(contract.escrowCents, contract.currency)} (the escrow).`
                : ''}
            </p>
          </Field>
          {error && (
            <p className="form-error" role="alert">
              {error}
              {conflictId && (
                <>
                  {' '}
                  <Link to={paths.dispute(conflictId)}>Open it</Link>
                </>
              )}
            </p>
          )}
          <div className="button-row">
            <button type="submit" className="btn btn-primary" disabled={!canSubmit}>
              {busy ? 'Filing…' : 'File dispute'}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
