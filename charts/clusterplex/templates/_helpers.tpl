{{/*
ClusterPlex helpers specific to this chart (the shared ones are in _shared.tpl, generated).
*/}}

{{/*
ClusterPlex version of the docker mods and the orchestrator image: clusterplexVersion, else the
chart's appVersion. Never `latest`: PMS, orchestrator and workers must run the same release.
Usage: {{ include "clusterplex.version" . }}
*/}}
{{- define "clusterplex.version" -}}
{{- .Values.clusterplexVersion | default .Chart.AppVersion }}
{{- end }}

{{/*
Name of the DFS PersistentVolume and of its claim: `<fullname>-dfs`. It never changes: the export
address follows Decypharr instead (docs/decisions.md#dfs-export).
Usage: {{ include "clusterplex.dfs.name" . }}
*/}}
{{- define "clusterplex.dfs.name" -}}
{{- printf "%s-dfs" (include "clusterplex.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
ORCHESTRATOR_URL of PMS and the workers: the orchestrator's ClusterIP Service.
Usage: {{ include "clusterplex.orchestratorUrl" . }}
*/}}
{{- define "clusterplex.orchestratorUrl" -}}
{{- printf "http://%s-orchestrator:%d" (include "clusterplex.fullname" .) (.Values.orchestrator.port | default 3500 | int) }}
{{- end }}

{{/*
Environment of the linuxserver-style containers (PMS and workers): the shared PUID/PGID/UMASK/TZ
block, plus VERSION=docker, which keeps the Plex version of the image (no update at container start).
Usage: {{- include "clusterplex.linuxserverEnv" . | nindent 12 }}
*/}}
{{- define "clusterplex.linuxserverEnv" -}}
{{ include "clusterplex.linuxserver.env" .Values.ids }}
- name: VERSION
  value: docker
{{- end }}

{{/*
Volumes PMS and every worker share: the Unraid library (NFS, read-only), the streaming library
(media-apps' kept claim, read-only here), the transcode claim (RWX) and, when a DFS export address
is set, the DFS claim (read-only).
Usage: {{- include "clusterplex.sharedVolumes" . | nindent 8 }}
*/}}
{{- define "clusterplex.sharedVolumes" -}}
- name: media
  nfs:
    server: {{ .Values.media.server }}
    path: {{ .Values.media.path }}
    readOnly: true
- name: library
  persistentVolumeClaim:
    claimName: {{ .Values.library.claimName }}
    readOnly: true
- name: transcode
  persistentVolumeClaim:
    claimName: {{ include "clusterplex.fullname" . }}-transcode
{{- if .Values.dfs.address }}
- name: dfs
  persistentVolumeClaim:
    claimName: {{ include "clusterplex.dfs.name" . }}
    readOnly: true
{{- end }}
{{- end }}

{{/*
Mounts of the shared volumes. The paths are the same in PMS, the workers, Decypharr and the *arr
apps (the transcoder runs on a worker with the paths PMS hands it, and Decypharr's symlinks point
into the DFS at dfs.mountPath); the data-path lint compares them across releases.
Usage: {{- include "clusterplex.sharedMounts" . | nindent 12 }}
*/}}
{{- define "clusterplex.sharedMounts" -}}
- name: media
  mountPath: /mnt/media
  readOnly: true
- name: library
  mountPath: {{ .Values.library.mountPath }}
  readOnly: true
{{- if .Values.dfs.address }}
- name: dfs
  mountPath: {{ .Values.dfs.mountPath }}
  readOnly: true
{{- end }}
- name: transcode
  mountPath: /transcode
{{- end }}

{{/*
Extra environment variables from a name -> value map.
Usage: {{- include "clusterplex.extraEnv" .Values.pms.env | nindent 12 }}
*/}}
{{- define "clusterplex.extraEnv" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}
