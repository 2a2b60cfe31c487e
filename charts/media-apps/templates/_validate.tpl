{{/*
Checks a JSON schema cannot express, collected and reported once.
Usage: {{- include "media-apps.validateValues" . }}
*/}}
{{- define "media-apps.validateValues" -}}
{{- $errors := list }}
{{- /* Samba/SMB/CIFS is rejected by lint on the merged values and the rendered storage, not here
(docs/decisions.md "Chart conventions"): a template cannot tell a share from a name that merely
contains "smb", such as the NFS path /mnt/user/samba-old. */}}
{{- $enabled := 0 }}
{{- $names := list }}
{{- range $name, $app := .Values.apps }}
{{- $at := printf "apps.%s" $name }}
{{- if eq (include "media-apps.enabled" $app) "true" }}
{{- $enabled = add1 $enabled }}
{{- if not (regexMatch "^[a-z]([-a-z0-9]*[a-z0-9])?$" $name) }}
{{- $errors = append $errors (printf "%s: %q is not a DNS label; it becomes part of resource names and the container name. Fix: use lower-case letters, digits and '-', starting with a letter." $at $name) }}
{{- else }}
{{- $names = append $names (dict "kind" "Service" "name" (printf "%s-%s" (include "media-apps.fullname" $) $name) "key" (printf "%s (the app name, after fullnameOverride or the release name)" $at)) }}
{{- end }}
{{- $requests := dig "resources" "requests" dict $app }}
{{- if and $app.resources (not (or $requests.cpu $requests.memory)) }}
{{- $errors = append $errors (printf "%s.resources.requests is empty: the policy gate requires requests on every container. Fix: set cpu and memory, e.g. {cpu: 50m, memory: 256Mi}." $at) }}
{{- end }}
{{- $dfs := $app.dfs | default dict }}
{{- if and $dfs.mountPropagation (ne (toString $dfs.mountPropagation) "HostToContainer") }}
{{- $errors = append $errors (printf "%s.dfs.mountPropagation is %s: a DFS consumer always uses HostToContainer. Only decypharr-streaming, the FUSE source, may use Bidirectional (seed, \"DFS Sharing\"); it needs a privileged container and propagates the container's mounts onto the node. Fix: remove the key." $at (toString $dfs.mountPropagation)) }}
{{- end }}
{{- $paths := dict }}
{{- $_ := set $paths (dig "config" "mountPath" "/config" $app) "config" }}
{{- if ne (toString $dfs.enabled) "false" }}
{{- $_ := set $paths $.Values.dfs.parent "dfs" }}
{{- end }}
{{- if eq (toString $app.library) "true" }}
{{- if not $.Values.library }}
{{- $errors = append $errors (printf "%s.library is true but library is null: the app cannot mount the streaming library. Fix: set library (claimName of decypharr's library claim, mountPath) or library: false on the app." $at) }}
{{- else }}
{{- $_ := set $paths $.Values.library.mountPath "library" }}
{{- end }}
{{- end }}
{{- $media := $app.media | default dict }}
{{- if ne (toString $media.enabled) "false" }}
{{- $_ := set $paths ($media.mountPath | default "/mnt/media") "media" }}
{{- end }}
{{- range $i, $m := $app.extraMounts | default list }}
{{- $where := printf "%s.extraMounts[%d]" $at $i }}
{{- $sources := 0 }}
{{- if $m.existingClaim }}{{ $sources = add1 $sources }}{{ end }}
{{- if $m.nfs }}{{ $sources = add1 $sources }}{{ end }}
{{- if ne $sources 1 }}
{{- $errors = append $errors (printf "%s (mountPath %s) must set exactly one of existingClaim or nfs. Fix: name an existing PVC or an NFS export (server, path)." $where (toString $m.mountPath)) }}
{{- end }}
{{- with get $paths (toString $m.mountPath) }}
{{- $errors = append $errors (printf "%s: mountPath %s is already used by %s. Fix: choose another path." $where (toString $m.mountPath) .) }}
{{- end }}
{{- $_ := set $paths (toString $m.mountPath) (printf "extraMounts[%d]" $i) }}
{{- end }}
{{- end }}
{{- end }}
{{- $errors = concat $errors (include "media-apps.validate.names" (dict "names" $names) | splitList "\n" | compact) }}
{{- if eq $enabled 0 }}
{{- $errors = append $errors "apps: no app is enabled, so the release would be empty. Fix: enable at least one app, or remove the HelmRelease." }}
{{- end }}
{{- if $errors }}
{{- fail (printf "\nVALUES VALIDATION:\n%s" (join "\n" $errors)) }}
{{- end }}
{{- end }}
