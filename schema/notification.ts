/**
 * Flux notification-controller objects this repository writes (clusters/<env>/alerts/), closed:
 * a misspelt field is an error here, where the CRD (and the @kubernetes-models/flux-cd models,
 * which lint also applies) would let it through and the API server would prune it. Fields and
 * enums from notification.toolkit.fluxcd.io/v1beta3 (fluxcd/notification-controller
 * api/v1beta3/provider_types.go, alert_types.go).
 */
import type { ObjectMeta } from "./common.ts";

/** A reference to an object in the same namespace. */
export interface LocalObjectReference {
  /** Name of the referent. */
  name: string;
}

/** Provider types of the v1beta3 CRD (`spec.type` enum). */
export type ProviderType =
  | "slack" | "discord" | "msteams" | "rocket" | "generic" | "generic-hmac" | "github" | "gitlab" | "gitea"
  | "giteapullrequestcomment" | "bitbucketserver" | "bitbucket" | "azuredevops" | "googlechat" | "googlepubsub"
  | "webex" | "sentry" | "azureeventhub" | "telegram" | "lark" | "matrix" | "opsgenie" | "alertmanager"
  | "grafana" | "githubdispatch" | "githubpullrequestcomment" | "gitlabmergerequestcomment" | "pagerduty"
  | "datadog" | "nats" | "zulip" | "otel";

/** `Provider` (notification.toolkit.fluxcd.io/v1beta3): where notifications go. */
export interface Provider {
  /** API version. */
  apiVersion: "notification.toolkit.fluxcd.io/v1beta3";
  /** Kind. */
  kind: "Provider";
  /** Metadata. */
  metadata: ObjectMeta;
  /** The provider. */
  spec: {
    /** The chat or webhook service. */
    type: ProviderType;
    /** Channel (Slack, Matrix room, ...). @maxLength 2048 */
    channel?: string;
    /** Bot user name. @maxLength 2048 */
    username?: string;
    /**
     * The endpoint, when it holds no credential (a self-hosted alertmanager or generic webhook).
     * A webhook URL that embeds its token (Slack, Discord, Teams, ...) goes into the Secret's
     * `address` key instead (lint rejects it here).
     * @maxLength 2048
     */
    address?: string;
    /** Timeout of a request (a Go duration). @pattern ^([0-9]+(\.[0-9]+)?(ms|s|m))+$ */
    timeout?: string;
    /**
     * Secret of the Provider's namespace with `address` and/or `token` (created out of band,
     * never in Git).
     */
    secretRef?: LocalObjectReference;
    /** Secret with a CA certificate for the endpoint. */
    certSecretRef?: LocalObjectReference;
    /** Stop sending. @default false */
    suspend?: boolean;
  };
}

/** One source of events an Alert forwards. */
export interface AlertEventSource {
  /** Flux kind of the object the event is about. */
  kind: "Bucket" | "GitRepository" | "Kustomization" | "HelmRelease" | "HelmChart" | "HelmRepository" | "ImageRepository" | "ImagePolicy" | "ImageUpdateAutomation" | "OCIRepository" | "ArtifactGenerator" | "ExternalArtifact" | "FluxInstance" | "ResourceSet" | "ResourceSetInputProvider";
  /** Object name, `*` for all of the kind in the namespace. @maxLength 253 */
  name: string;
  /** Namespace; defaults to the Alert's own (notification-controller eventMatchesAlertSources). @maxLength 63 */
  namespace?: string;
  /** Only objects with these labels (name must be `*`). */
  matchLabels?: { [key: string]: string };
  /** API version of the kind. */
  apiVersion?: string;
}

/** `Alert` (notification.toolkit.fluxcd.io/v1beta3): which events go to a Provider. */
export interface Alert {
  /** API version. */
  apiVersion: "notification.toolkit.fluxcd.io/v1beta3";
  /** Kind. */
  kind: "Alert";
  /** Metadata. */
  metadata: ObjectMeta;
  /** The alert. */
  spec: {
    /** The Provider, in the Alert's namespace. */
    providerRef: LocalObjectReference;
    /** `error`: only failures; `info`: every event of the sources. @default "info" */
    eventSeverity?: "info" | "error";
    /** The objects whose events are forwarded. @minItems 1 */
    eventSources: AlertEventSource[];
    /** Forward only messages matching one of these regular expressions. */
    inclusionList?: string[];
    /** Drop messages matching one of these regular expressions. */
    exclusionList?: string[];
    /** Extra metadata added to every event. */
    eventMetadata?: { [key: string]: string };
    /** Stop forwarding. @default false */
    suspend?: boolean;
  };
}
