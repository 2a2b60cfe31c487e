{{/*
Checks a JSON schema cannot express, collected and reported once.
Usage: {{- include "longhorn-config.validateValues" . }}
*/}}
{{- define "longhorn-config.validateValues" -}}
{{- $errors := list }}
{{- $replicas := .Values.numberOfReplicas | default 2 | int }}
{{- if and (eq (toString .Values.dataLocality) "strict-local") (ne $replicas 1) }}
{{- $errors = append $errors (printf "dataLocality: strict-local allows exactly one replica, but numberOfReplicas is %d. Fix: use dataLocality best-effort (keeps the seed's 2 replicas) or set numberOfReplicas: 1." $replicas) }}
{{- end }}
{{- $jobs := list }}
{{- $groups := list }}
{{- range $i, $job := .Values.recurringJobs | default list }}
{{- if has $job.name $jobs }}
{{- $errors = append $errors (printf "recurringJobs[%d].name %q is used twice. Fix: give every recurring job its own name." $i $job.name) }}
{{- end }}
{{- $jobs = append $jobs $job.name }}
{{- range $job.groups | default list }}{{ $groups = append $groups . }}{{ end }}
{{- if and (has $job.task (list "backup" "backup-force-create")) (not $.Values.backupTarget) }}
{{- $errors = append $errors (printf "recurringJobs[%d] (%s) has task %s but backupTarget is null: every run would fail with no backup target. Fix: set backupTarget (the NAS of values/<env>/cluster.yaml, nfs.unraid) or use task snapshot." $i $job.name $job.task) }}
{{- end }}
{{- end }}
{{- range $i, $sel := .Values.recurringJobSelector | default list }}
{{- if eq (toString $sel.isGroup) "true" }}
{{- if not (has $sel.name $groups) }}
{{- $errors = append $errors (printf "recurringJobSelector[%d] selects group %q, which no entry of recurringJobs has: new volumes would get no job. Fix: add the group to a job's groups, or remove the selector (groups: %s)." $i $sel.name (toJson ($groups | uniq))) }}
{{- end }}
{{- else if not (has $sel.name $jobs) }}
{{- $errors = append $errors (printf "recurringJobSelector[%d] selects job %q, which is not in recurringJobs: new volumes would get no job. Fix: use a job name (%s) or set isGroup: true for a group." $i $sel.name (toJson $jobs)) }}
{{- end }}
{{- end }}
{{- $crs := or (ne (toString .Values.settings.enforce) "false") (gt (len (.Values.recurringJobs | default list)) 0) }}
{{- if and $crs (ne .Release.Namespace "longhorn-system") }}
{{- $errors = append $errors (printf "the release namespace is %q, but longhorn-manager only reads Setting and RecurringJob objects in longhorn-system. Fix: put the HelmRelease in namespace longhorn-system." .Release.Namespace) }}
{{- end }}
{{- if $errors }}
{{- fail (printf "\nVALUES VALIDATION:\n%s" (join "\n" $errors)) }}
{{- end }}
{{- end }}
