{{- define "buildcluster.labels" -}}
app.kubernetes.io/name: bowsprit-build-cluster
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: bowsprit
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
bowsprit.dev/build-cluster: {{ .Values.alias | quote }}
{{- end }}
