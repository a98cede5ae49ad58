// The rules with their hits and remaining `times`; a form that adds or edits one through the control API itself
// (POST /_mock/rules, PUT /_mock/rules/:id), so it validates exactly as the API does and shows the API's own
// message next to the field the API names; the global ingest and egress rates.

import { useState } from 'preact/hooks';
import type { Rates, Rule } from '../../mock-server/control/types.js';
import { api, ApiError } from './api.js';
import { bytes, rate } from './format.js';
import type { LiveState } from './stream.js';

type Fields = Record<string, string>;

/** The form's fields by the JSON path the API names in its errors. */
const MATCH_FIELDS = ['bucket', 'key', 'keyPrefix', 'operation', 'partNumber', 'uploadId'] as const;
const INTEGER_FIELDS = new Set([
  'match.partNumber',
  'delayMs',
  'times',
  'fault.afterBytes',
  'fault.stallMs',
  'fault.status',
]);
const RATE_FIELDS = new Set(['ingestRate', 'egressRate']);

/** A field's value as JSON: digits become a number; anything else goes as typed, for the API to judge. */
function jsonValue(path: string, text: string): unknown {
  const t = text.trim();
  if ((INTEGER_FIELDS.has(path) && /^-?\d+$/.test(t)) || (RATE_FIELDS.has(path) && /^\d+$/.test(t))) return Number(t);
  return path === 'match.keyPrefix' ? text : t;
}

export function ruleJson(fields: Fields): Record<string, unknown> {
  const rule: Record<string, unknown> = {};
  const match: Record<string, unknown> = {};
  const fault: Record<string, unknown> = {};
  for (const [path, text] of Object.entries(fields)) {
    if (text.trim() === '' && path !== 'match.keyPrefix') continue;
    if (path === 'match.keyPrefix' && text === '') continue;
    const [head, tail] = path.split('.') as [string, string | undefined];
    const value = jsonValue(path, text);
    if (head === 'match' && tail !== undefined) match[tail] = value;
    else if (head === 'fault' && tail !== undefined) fault[tail] = value;
    else rule[head] = value;
  }
  if (Object.keys(match).length > 0) rule.match = match;
  if (fault.type !== undefined) rule.fault = fault;
  else if (Object.keys(fault).length > 0) rule.fault = fault; // the API names the missing type
  return rule;
}

function fieldsOf(rule: Rule): Fields {
  const f: Fields = { id: rule.id };
  for (const k of MATCH_FIELDS) if (rule.match[k] !== undefined) f[`match.${k}`] = String(rule.match[k]);
  for (const k of ['ingestRate', 'egressRate', 'delayMs', 'times'] as const) {
    if (rule[k] !== undefined) f[k] = String(rule[k]);
  }
  if (rule.fault !== undefined) {
    for (const [k, v] of Object.entries(rule.fault)) if (v !== undefined) f[`fault.${k}`] = String(v);
  }
  return f;
}

export function matchText(rule: Rule): string {
  const m = rule.match;
  const parts: string[] = [];
  if (m.operation !== undefined) parts.push(m.operation);
  if (m.bucket !== undefined) parts.push(`bucket ${m.bucket}`);
  if (m.key !== undefined) parts.push(`key ${m.key}`);
  if (m.keyPrefix !== undefined) parts.push(`keys ${m.keyPrefix}*`);
  if (m.uploadId !== undefined) parts.push(`upload ${m.uploadId}`);
  if (m.partNumber !== undefined) parts.push(`part ${m.partNumber}`);
  return parts.length === 0 ? 'every request' : parts.join(' · ');
}

function faultText(rule: Rule): string {
  const f = rule.fault;
  if (f === undefined) return '–';
  const when = f.afterBytes === undefined ? 'before the body' : `after ${bytes(f.afterBytes)}`;
  const extra =
    f.type === 'stall' ? ` for ${f.stallMs ?? 0} ms` : f.type === 'error' ? ` ${f.status ?? 500} ${f.code ?? ''}` : '';
  return `${f.type}${extra} ${when}`;
}

function RulesTable({ rules, onEdit }: { rules: Rule[]; onEdit: (r: Rule) => void }) {
  const [error, setError] = useState<string>();
  const remove = async (id: string): Promise<void> => {
    setError(undefined);
    try {
      await api('DELETE', `/_mock/rules/${encodeURIComponent(id)}`);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  if (rules.length === 0) return <p class="empty">No rule: every request goes at the global rates.</p>;
  return (
    <>
      {error !== undefined && <p class="error">{error}</p>}
      <table id="rules-table">
        <thead>
          <tr>
            <th>Id</th>
            <th>Matches</th>
            <th>Ingest</th>
            <th>Egress</th>
            <th>Delay</th>
            <th>Fault</th>
            <th>Times left</th>
            <th>Hits</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rules.map((r) => (
            <tr key={r.id} data-rule-id={r.id}>
              <td>{r.id}</td>
              <td>{matchText(r)}</td>
              <td class="num">{r.ingestRate === undefined ? '–' : rate(r.ingestRate)}</td>
              <td class="num">{r.egressRate === undefined ? '–' : rate(r.egressRate)}</td>
              <td class="num">{r.delayMs === undefined ? '–' : `${r.delayMs} ms`}</td>
              <td>{faultText(r)}</td>
              <td class="num">{r.times === undefined ? 'every time' : r.times}</td>
              <td class="num hits">{r.hits}</td>
              <td class="actions">
                <button type="button" onClick={() => onEdit(r)}>
                  Edit
                </button>
                <button type="button" class="danger" onClick={() => void remove(r.id)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

interface FieldProps {
  path: string;
  label: string;
  fields: Fields;
  set: (path: string, value: string) => void;
  error?: { field?: string; message: string };
  placeholder?: string;
  disabled?: boolean;
  options?: readonly string[];
}

function Field({ path, label, fields, set, error, placeholder, disabled, options }: FieldProps) {
  const bad = error?.field === path;
  const common = {
    name: path,
    id: `rule-${path}`,
    value: fields[path] ?? '',
    disabled,
    'aria-invalid': bad ? ('true' as const) : undefined,
    onInput: (e: Event) => set(path, (e.currentTarget as HTMLInputElement).value),
  };
  return (
    <label class={bad ? 'field invalid' : 'field'}>
      <span>{label}</span>
      {options === undefined ? (
        <input {...common} placeholder={placeholder} autocomplete="off" />
      ) : (
        <select {...common}>
          <option value="">{placeholder ?? '–'}</option>
          {options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      )}
      {bad && <small class="field-error">{error.message}</small>}
    </label>
  );
}

function RuleForm({
  live,
  editing,
  fields,
  setFields,
  done,
}: {
  live: LiveState;
  editing: string | undefined;
  fields: Fields;
  setFields: (f: Fields) => void;
  done: () => void;
}) {
  const [error, setError] = useState<{ field?: string; message: string }>();
  const [busy, setBusy] = useState(false);
  const set = (path: string, value: string): void => setFields({ ...fields, [path]: value });
  const body = ruleJson(fields);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (editing === undefined) await api('POST', '/_mock/rules', body);
      else await api('PUT', `/_mock/rules/${encodeURIComponent(editing)}`, body);
      done();
    } catch (err) {
      setError(err instanceof ApiError ? { field: err.field, message: err.message } : { message: String(err) });
    } finally {
      setBusy(false);
    }
  };
  const p = { fields, set, error };
  const faultType = fields['fault.type'] ?? '';
  return (
    <form id="rule-form" class="rule-form" onSubmit={(e) => void submit(e)}>
      <h3>{editing === undefined ? 'Add a rule' : `Edit rule ${editing}`}</h3>
      <fieldset>
        <legend>Matches (all given must match)</legend>
        <Field
          {...p}
          path="match.operation"
          label="Operation"
          placeholder="any"
          options={live.info?.operations ?? []}
        />
        <Field {...p} path="match.bucket" label="Bucket" placeholder="any" />
        <Field {...p} path="match.key" label="Key" placeholder="any" />
        <Field {...p} path="match.keyPrefix" label="Key prefix" placeholder="any" />
        <Field {...p} path="match.uploadId" label="Upload ID" placeholder="any" />
        <Field {...p} path="match.partNumber" label="Part number" placeholder="any" />
      </fieldset>
      <fieldset>
        <legend>Effect</legend>
        <Field {...p} path="ingestRate" label="Ingest rate" placeholder="e.g. 256KiB/s" />
        <Field {...p} path="egressRate" label="Egress rate" placeholder="e.g. 1MiB/s" />
        <Field {...p} path="delayMs" label="Delay (ms)" />
        <Field {...p} path="times" label="Times" placeholder="every request" />
        <Field {...p} path="id" label="Id" placeholder="assigned" disabled={editing !== undefined} />
      </fieldset>
      <fieldset>
        <legend>Fault</legend>
        <Field {...p} path="fault.type" label="Type" placeholder="none" options={live.info?.faultTypes ?? []} />
        <Field {...p} path="fault.afterBytes" label="After bytes" placeholder="before the body" />
        {faultType === 'stall' && <Field {...p} path="fault.stallMs" label="Stall (ms)" />}
        {faultType === 'error' && <Field {...p} path="fault.status" label="Status" placeholder="500" />}
        {faultType === 'error' && <Field {...p} path="fault.code" label="Code" placeholder="InternalError" />}
      </fieldset>
      {error !== undefined && (
        <p class="error" role="alert">
          {error.message}
        </p>
      )}
      <details>
        <summary>JSON sent</summary>
        <pre>{JSON.stringify(body, null, 2)}</pre>
      </details>
      <div class="buttons">
        <button type="submit" class="primary" disabled={busy}>
          {editing === undefined ? 'Add rule' : 'Save rule'}
        </button>
        <button
          type="button"
          onClick={() => {
            setError(undefined);
            done();
          }}
        >
          {editing === undefined ? 'Clear' : 'Cancel'}
        </button>
      </div>
    </form>
  );
}

function RatesForm({ rates }: { rates: Rates }) {
  const [ingest, setIngest] = useState('');
  const [egress, setEgress] = useState('');
  const [error, setError] = useState<{ field?: string; message: string }>();
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setError(undefined);
    // empty: unchanged (left out); "unlimited": null, which lifts the rate
    const value = (t: string): string | number | null | undefined => {
      const v = t.trim();
      if (v === '') return undefined;
      if (v.toLowerCase() === 'unlimited') return null;
      return /^\d+$/.test(v) ? Number(v) : v;
    };
    try {
      await api('POST', '/_mock/rates', { ingestRate: value(ingest), egressRate: value(egress) });
      setIngest('');
      setEgress('');
    } catch (err) {
      setError(err instanceof ApiError ? { field: err.field, message: err.message } : { message: String(err) });
    }
  };
  return (
    <form id="rates-form" class="rates" onSubmit={(e) => void submit(e)}>
      <h3>Global rates</h3>
      <p>
        Ingest <strong id="ingest-rate">{rate(rates.ingestRate)}</strong> · egress{' '}
        <strong id="egress-rate">{rate(rates.egressRate)}</strong>
      </p>
      <label class={error?.field === 'ingestRate' ? 'field invalid' : 'field'}>
        <span>Ingest</span>
        <input
          name="ingestRate"
          value={ingest}
          placeholder={rate(rates.ingestRate)}
          onInput={(e) => setIngest(e.currentTarget.value)}
        />
      </label>
      <label class={error?.field === 'egressRate' ? 'field invalid' : 'field'}>
        <span>Egress</span>
        <input
          name="egressRate"
          value={egress}
          placeholder={rate(rates.egressRate)}
          onInput={(e) => setEgress(e.currentTarget.value)}
        />
      </label>
      <div class="buttons">
        <button type="submit">Set</button>
        <small class="muted">empty: unchanged · "unlimited" lifts it</small>
      </div>
      {error !== undefined && (
        <p class="error" role="alert">
          {error.message}
        </p>
      )}
    </form>
  );
}

export function RulesPanel({ live }: { live: LiveState }) {
  const [editing, setEditing] = useState<string>();
  const [fields, setFields] = useState<Fields>({});
  return (
    <section class="panel" id="rules">
      <h2>
        Rules <span class="count">{live.rules.length}</span>
      </h2>
      <RulesTable
        rules={live.rules}
        onEdit={(r) => {
          setEditing(r.id);
          setFields(fieldsOf(r));
        }}
      />
      <div class="rule-forms">
        <RuleForm
          live={live}
          editing={editing}
          fields={fields}
          setFields={setFields}
          done={() => {
            setEditing(undefined);
            setFields({});
          }}
        />
        <RatesForm rates={live.rates} />
      </div>
    </section>
  );
}
