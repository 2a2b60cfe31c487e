import { describe, expect, it } from "vitest";
import { findCredentialValues, isCredentialKey, isLiteralValue, keyWords } from "../../tools/policy/credentials.ts";

describe("isCredentialKey", () => {
  it.each([
    ["password", true], ["adminPassword", true], ["passwd", true], ["apiKey", true], ["api_key", true], ["APIKEY", true],
    ["SONARR__API_KEY", true], ["token", true], ["plexToken", true], ["clientSecret", true], ["privateKey", true],
    ["secretKey", true], ["accessKey", true], ["encryption-key", true], ["credentials", true],
    ["existingSecret", false], ["existingSecretPasswordKey", false], ["secretName", false], ["tokenSecretRef", false],
    ["passwordKey", false], ["passwordFile", false], ["secretKeyRef", false], ["apiKeySecretName", false],
    ["tokenTTL", false], ["tokenUrl", false], ["username", false], ["PUID", false], ["key", false], ["monkey", false],
  ])("%s -> %s", (key, want) => {
    expect(isCredentialKey(key)).toBe(want);
  });

  it("splits keys into words", () => {
    expect(keyWords("existingSecretPasswordKey")).toEqual(["existing", "secret", "password", "key"]);
    expect(keyWords("SONARR__API_KEY")).toEqual(["sonarr", "api", "key"]);
    expect(keyWords("APIKey")).toEqual(["api", "key"]);
  });
});

describe("isLiteralValue", () => {
  it.each([
    ["hunter2", true], [12345, true], ["", false], ["  ", false], [null, false], [true, false],
    ["${PLEX_TOKEN}", false], ["{{ .Values.x }}", false], ["ENC[AES256_GCM,data:abc]", false],
  ])("%j -> %s", (v, want) => {
    expect(isLiteralValue(v)).toBe(want);
  });
});

describe("findCredentialValues", () => {
  it("reports credential keys with literal values and their key paths, not references", () => {
    const doc = {
      apps: {
        sonarr: { apiKey: "0123abcd", existingSecret: "sonarr-creds", env: { TZ: "UTC", SONARR__AUTH__PASSWORD: "pw" } },
        radarr: { apiKey: "", tokenSecretRef: { name: "radarr", key: "token" } },
      },
      db: { auth: { password: 1234, passwordKey: "db-password" } },
      env: [{ name: "PLEX_CLAIM_TOKEN", value: "claim-xyz" }, { name: "PLEX_TOKEN", valueFrom: { secretKeyRef: { name: "plex", key: "token" } } }],
    };
    expect(findCredentialValues(doc).map((f) => [f.path.join("."), f.key])).toEqual([
      ["apps.sonarr.apiKey", "apiKey"],
      ["apps.sonarr.env.SONARR__AUTH__PASSWORD", "SONARR__AUTH__PASSWORD"],
      ["db.auth.password", "password"],
      ["env.0.value", "PLEX_CLAIM_TOKEN"],
    ]);
  });
});
