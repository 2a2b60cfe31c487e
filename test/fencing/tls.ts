/**
 * A throw-away self-signed certificate for the fake API server's HTTPS tests, built in memory
 * (node:crypto signs; the X.509 structure, RFC 5280, is DER-encoded here), so the tests need no
 * openssl binary and the repository holds no private key.
 */
import { generateKeyPairSync, sign } from "node:crypto";

/** DER length octets. */
function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One DER TLV. */
function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
}

const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const oid = (...bytes: number[]) => tlv(0x06, Buffer.from(bytes));
const ECDSA_WITH_SHA256 = oid(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02); // 1.2.840.10045.4.3.2
const COMMON_NAME = oid(0x55, 0x04, 0x03); // 2.5.4.3
const SUBJECT_ALT_NAME = oid(0x55, 0x1d, 0x11); // 2.5.29.17
const BASIC_CONSTRAINTS = oid(0x55, 0x1d, 0x13); // 2.5.29.19

/** UTCTime, YYMMDDHHMMSSZ. */
function utcTime(d: Date): Buffer {
  const iso = d.toISOString(); // 2026-03-01T12:00:00.000Z
  return tlv(0x17, Buffer.from(`${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`));
}

export interface TestCertificate {
  /** PEM private key (PKCS#8). */
  key: string;
  /** PEM certificate: the server's, and the CA a client must trust for it. */
  cert: string;
}

/**
 * An ECDSA P-256 certificate for `ip` (subjectAltName IP), self-signed and marked CA, valid from
 * an hour ago for a day: usable both as the server certificate and as the client's `ca`.
 */
export function selfSignedCertificate(ip = "127.0.0.1", commonName = "fake-apiserver"): TestCertificate {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const name = seq(tlv(0x31, seq(COMMON_NAME, tlv(0x0c, Buffer.from(commonName)))));
  const now = Date.now();
  const san = seq(tlv(0x87, Buffer.from(ip.split(".").map(Number))));
  const extensions = tlv(0xa3, seq(
    seq(BASIC_CONSTRAINTS, tlv(0x04, seq(tlv(0x01, Buffer.from([0xff]))))),
    seq(SUBJECT_ALT_NAME, tlv(0x04, san)),
  ));
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))), // v3
    tlv(0x02, Buffer.from([0x01, ...Array.from({ length: 7 }, () => Math.floor(Math.random() * 256))])), // positive serial
    seq(ECDSA_WITH_SHA256),
    name,
    seq(utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + 86_400_000))),
    name,
    publicKey.export({ type: "spki", format: "der" }),
    extensions,
  );
  const signature = sign("sha256", tbs, privateKey); // DER-encoded ECDSA-Sig-Value
  const der = seq(tbs, seq(ECDSA_WITH_SHA256), tlv(0x03, Buffer.from([0]), signature));
  const b64 = der.toString("base64").replace(/.{1,64}/g, "$&\n");
  return {
    key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    cert: `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`,
  };
}
