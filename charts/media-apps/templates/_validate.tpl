{{/*
Checks a JSON schema cannot express, collected and reported once.
Usage: {{- include "media-apps.validateValues" . }}
*/}}
{{- define "media-apps.validateValues" -}}
{{- $errors := list }}
{{- $smb := include "media-apps.smbPattern" . }}
{{- $smbWhy := "SMB/Samba was removed in commit e828583 (2026-02-28). Do not re-add it (seed, \"DFS Sharing\": Samba 4.x needed an LD_PRELOAD shim for FUSE's st_nlink=0 and a dfs-mounter DaemonSet on every node). Fix: consumers read the DFS through dfs (hostPath /mnt/dfs, HostToContainer); other shares are an NFS export or an existing PVC in extraMounts" }}
{{- $enabled := 0 }}
{{- range $key, $val := .Values }}
{{- if and (ne $key "apps") (regexMatch $smb (printf "%s=%s" $key (toJson $val))) }}
{{- $errors = append $errors (printf "%s mentions SMB/CIFS/Samba (%s). %s." $key (toJson $val | trunc 120) $smbWhy) }}
{{- end }}
{{- end }}
{{- range $name, $app := .Values.apps }}
{{- $at := printf "apps.%s" $name }}
{{- if regexMatch $smb $name }}
{{- $errors = append $errors (printf "%s: the app name mentions SMB/CIFS/Samba. %s." $at $smbWhy) }}
{{- end }}
{{- range $key, $val := $app }}
{{- if eq $key "env" }}
{{- range $var, $value := $val }}
{{- if regexMatch $smb (printf "%s=%s" $var (toString $value)) }}
{{- $errors = append $errors (printf "%s.env.%s mentions SMB/CIFS/Samba (%s). %s." $at $var (toString $value | trunc 120) $smbWhy) }}
{{- end }}
{{- end }}
{{- else if eq $key "extraMounts" }}
{{- range $i, $m := $val }}
{{- if regexMatch $smb (toJson $m) }}
{{- $errors = append $errors (printf "%s.extraMounts[%d] mentions SMB/CIFS/Samba (%s). %s." $at $i (toJson $m | trunc 120) $smbWhy) }}
{{- end }}
{{- end }}
{{- else if regexMatch $smb (printf "%s=%s" $key (toJson $val)) }}
{{- $errors = append $errors (printf "%s.%s mentions SMB/CIFS/Samba (%s). %s." $at $key (toJson $val | trunc 120) $smbWhy) }}
{{- end }}
{{- end }}
{{- if eq (include "media-apps.enabled" $app) "true" }}
{{- $enabled = add1 $enabled }}
{{- if not (regexMatch "^[a-z]([-a-z0-9]*[a-z0-9])?$" $name) }}
{{- $errors = append $errors (printf "%s: %q is not a DNS label; it becomes part of resource names and the container name. Fix: use lower-case letters, digits and '-', starting with a letter." $at $name) }}
{{- else if gt (len (printf "%s-%s" (include "media-apps.fullname" $) $name)) 63 }}
{{- $errors = append $errors (printf "%s: the resource name %s-%s is longer than 63 characters (a Service name is a DNS label). Fix: shorten the app name or set fullnameOverride." $at (include "media-apps.fullname" $) $name) }}
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
{{- if eq $enabled 0 }}
{{- $errors = append $errors "apps: no app is enabled, so the release would be empty. Fix: enable at least one app, or remove the HelmRelease." }}
{{- end }}
{{- if $errors }}
{{- fail (printf "\nVALUES VALIDATION:\n%s" (join "\n" $errors)) }}
{{- end }}
{{- end }}
