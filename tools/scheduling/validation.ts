/**
 * Validation helpers ported from k8s.io/apimachinery:
 * - pkg/api/validate/content/kube.go (IsLabelKey, IsLabelValue)
 * - pkg/api/validate/content/dns.go (IsDNS1123Subdomain)
 * - pkg/api/validate/content/decimal_int.go (IsDecimalInteger)
 * - Go strconv.ParseInt(s, 10, 64) as used by labels.Requirement for Gt/Lt.
 *
 * Each validator returns the list of upstream error strings (empty = valid).
 * Lengths are counted in UTF-8 bytes, as Go's len() does.
 */

const labelKeyFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const labelKeyErrMsg =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const labelKeyRegexp = new RegExp(`^${labelKeyFmt}$`);
const labelValueFmt = `(${labelKeyFmt})?`;
const labelValueErrMsg =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const labelValueRegexp = new RegExp(`^${labelValueFmt}$`);
const dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1123SubdomainRegexp = new RegExp(`^${dns1123SubdomainFmt}$`);
const dns1123SubdomainErrorMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

/** Maximum label value length (content.LabelValueMaxLength). */
export const LABEL_VALUE_MAX_LENGTH = 63;
const LABEL_KEY_NAME_MAX_LENGTH = 63;
const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function byteLength(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

/** content.RegexError */
function regexError(msg: string, re: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${re}')`;
  let out = `${msg} (e.g. `;
  examples.forEach((ex, i) => {
    if (i > 0) out += " or ";
    out += `'${ex}', `;
  });
  return `${out}regex used for validation is '${re}')`;
}

function maxLenError(length: number): string {
  return `must be no more than ${length} bytes`;
}

/** content.IsDNS1123Subdomain */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!dns1123SubdomainRegexp.test(value)) errs.push(regexError(dns1123SubdomainErrorMsg, dns1123SubdomainFmt, "example.com"));
  return errs;
}

/**
 * content.IsLabelKey (a.k.a. IsQualifiedName): optional DNS-subdomain prefix and
 * '/', then a name of at most 63 characters matching the label-key regex.
 */
export function isLabelKey(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split("/");
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push("prefix part must be non-empty");
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a valid label key ${regexError(labelKeyErrMsg, labelKeyFmt, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push("name part must be non-empty");
  else if (byteLength(name) > LABEL_KEY_NAME_MAX_LENGTH) errs.push(`name part ${maxLenError(LABEL_KEY_NAME_MAX_LENGTH)}`);
  if (!labelKeyRegexp.test(name)) errs.push(`name part ${regexError(labelKeyErrMsg, labelKeyFmt, "MyName", "my.name", "123-abc")}`);
  return errs;
}

/** content.IsLabelValue: empty, or at most 63 bytes matching the label-value regex. */
export function isLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > LABEL_VALUE_MAX_LENGTH) errs.push(maxLenError(LABEL_VALUE_MAX_LENGTH));
  if (!labelValueRegexp.test(value)) errs.push(regexError(labelValueErrMsg, labelValueFmt, "MyValue", "my_value", "12345"));
  return errs;
}

/**
 * Go strconv.ParseInt(s, 10, 64): optional sign, one or more ASCII digits
 * (leading zeros allowed, no underscores with an explicit base), within int64.
 * Returns the exact value as a bigint, or null on a syntax or range error.
 */
export function parseInt64(s: string): bigint | null {
  if (!/^[+-]?[0-9]+$/.test(s)) return null;
  const v = BigInt(s);
  if (v < INT64_MIN || v > INT64_MAX) return null;
  return v;
}

/**
 * content.IsDecimalInteger: canonical decimal integer ("0", or an optional '-'
 * followed by 1-9 then digits). Stricter than ParseInt: no '+', no leading zeros.
 */
export function isDecimalInteger(value: string): string[] {
  if (value.length === 0) return ["must be non-empty"];
  return /^(0|-?[1-9][0-9]*)$/.test(value) ? [] : ["must be a valid decimal integer in canonical form"];
}
