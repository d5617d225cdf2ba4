{{/*
The objects every component has, shared so the component folders differ only in what
really differs (arguments, ports, secrets, RBAC rules). Each takes a dict:
  root: $; key: the values key (statusReconciler); name: the component (status-reconciler).
*/}}

{{/*
The Deployment. Extra keys: args (flags after the component name), volumes, mounts,
ports (list of {name, containerPort} besides metrics and health), operator (bool: kopf
operators use the Recreate strategy so a rollout never runs two at once), checksums
(annotations that roll the pods when what they name changes).
*/}}
{{- define "bowsprit.component.deployment" -}}
{{- $root := .root }}
{{- $values := index $root.Values .key }}
{{- $global := $root.Values.global }}
{{- $strategy := $values.strategy }}
{{- /* A service may answer /healthz and /metrics on its main port (healthPort or
metricsPort equal to it): then there is no separate port for them. */}}
{{- $health := "health" }}
{{- $metrics := "metrics" }}
{{- range .ports }}
{{- if eq (int .containerPort) (int $values.healthPort) }}
{{- $health = .name }}
{{- end }}
{{- if eq (int .containerPort) (int $values.metricsPort) }}
{{- $metrics = .name }}
{{- end }}
{{- end }}
{{- if and (not $strategy) .operator }}
{{- $strategy = dict "type" "Recreate" }}
{{- end }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "bowsprit.componentName" . }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "bowsprit.labels" (dict "context" $root "component" .name) | nindent 4 }}
spec:
  replicas: {{ $values.replicas }}
  revisionHistoryLimit: 5
  {{- with $strategy }}
  strategy:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "bowsprit.selectorLabels" (dict "context" $root "component" .name) | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "bowsprit.selectorLabels" (dict "context" $root "component" .name) | nindent 8 }}
        app.kubernetes.io/version: {{ $root.Chart.AppVersion | quote }}
        app.kubernetes.io/part-of: bowsprit
        {{- with (merge (deepCopy $values.podLabels) $global.podLabels) }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- $annotations := merge (deepCopy $values.podAnnotations) $global.podAnnotations (default dict .checksums) }}
      {{- with $annotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      serviceAccountName: {{ include "bowsprit.serviceAccountName" . }}
      {{- with $global.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $global.priorityClassName }}
      priorityClassName: {{ . }}
      {{- end }}
      securityContext:
        {{- toYaml $global.podSecurityContext | nindent 8 }}
      {{- with (default $global.nodeSelector $values.nodeSelector) }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with (default $global.tolerations $values.tolerations) }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with (default $global.affinity $values.affinity) }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      # Components stop cleanly on SIGTERM (kopf drains its handlers, hook its queue).
      terminationGracePeriodSeconds: 30
      containers:
        - name: {{ .name }}
          image: {{ include "bowsprit.image" . }}
          imagePullPolicy: {{ default $global.image.pullPolicy $values.image.pullPolicy }}
          args:
            - {{ .name }}
            {{- range .args }}
            - {{ . | quote }}
            {{- end }}
            {{- range $values.extraArgs }}
            - {{ . | quote }}
            {{- end }}
          env:
            # Operators find their ProwConfig's namespace through it (clients/kube.py).
            - name: POD_NAMESPACE
              valueFrom:
                fieldRef:
                  fieldPath: metadata.namespace
            {{- with $global.env }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
            {{- with $values.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          ports:
            {{- range .ports }}
            - name: {{ .name }}
              containerPort: {{ .containerPort }}
              protocol: TCP
            {{- end }}
            {{- if and $values.metricsPort (eq $metrics "metrics") }}
            - name: metrics
              containerPort: {{ $values.metricsPort }}
              protocol: TCP
            {{- end }}
            {{- if eq $health "health" }}
            - name: health
              containerPort: {{ $values.healthPort }}
              protocol: TCP
            {{- end }}
          livenessProbe:
            httpGet:
              path: /healthz
              port: {{ $health }}
            {{- toYaml $values.livenessProbe | nindent 12 }}
          readinessProbe:
            httpGet:
              path: /healthz
              port: {{ $health }}
            {{- toYaml $values.readinessProbe | nindent 12 }}
          resources:
            {{- toYaml $values.resources | nindent 12 }}
          securityContext:
            {{- toYaml $global.securityContext | nindent 12 }}
          volumeMounts:
            # The root filesystem is read-only; Python and libraries may still want a /tmp.
            - name: tmp
              mountPath: /tmp
            {{- with .mounts }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
        {{- with .volumes }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
{{- end }}

{{/*
The component's Service: its metrics and health ports (what ServiceMonitors and
`helm test` reach), plus extra ports (hook's webhook port, deck's UI) given as
ports: list of {name, port, targetPort}, and the component's service values when it has any.
*/}}
{{- define "bowsprit.component.service" -}}
{{- $values := index .root.Values .key }}
{{- $service := default dict $values.service }}
{{- $separateHealth := not (and $values.port (eq (int $values.port) (int $values.healthPort))) }}
{{- $separateMetrics := not (and $values.port (eq (int $values.port) (int $values.metricsPort))) }}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "bowsprit.componentName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "bowsprit.labels" (dict "context" .root "component" .name) | nindent 4 }}
  {{- with $service.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ default "ClusterIP" $service.type }}
  selector:
    {{- include "bowsprit.selectorLabels" (dict "context" .root "component" .name) | nindent 4 }}
  ports:
    {{- range .ports }}
    - name: {{ .name }}
      port: {{ .port }}
      targetPort: {{ .targetPort }}
      protocol: TCP
    {{- end }}
    {{- if and $values.metricsPort $separateMetrics }}
    - name: metrics
      port: {{ $values.metricsPort }}
      targetPort: metrics
      protocol: TCP
    {{- end }}
    {{- if $separateHealth }}
    - name: health
      port: {{ $values.healthPort }}
      targetPort: health
      protocol: TCP
    {{- end }}
{{- end }}

{{- define "bowsprit.component.serviceaccount" -}}
{{- $values := index .root.Values .key }}
{{- if $values.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "bowsprit.serviceAccountName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "bowsprit.labels" (dict "context" .root "component" .name) | nindent 4 }}
  {{- with $values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- /* A component with no RBAC rules (ghproxy) needs no token in its pods. */}}
automountServiceAccountToken: {{ not .noApiAccess }}
{{- end }}
{{- end }}

{{- define "bowsprit.component.servicemonitor" -}}
{{- $values := index .root.Values .key }}
{{- $monitor := .root.Values.metrics.serviceMonitor }}
{{- if and $monitor.enabled $values.metricsPort }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "bowsprit.componentName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "bowsprit.labels" (dict "context" .root "component" .name) | nindent 4 }}
    {{- with $monitor.additionalLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "bowsprit.selectorLabels" (dict "context" .root "component" .name) | nindent 6 }}
  endpoints:
    {{- /* Served on the main port (hook) or a port of its own. */}}
    - port: {{ if and $values.port (eq (int $values.port) (int $values.metricsPort)) }}http{{ else }}metrics{{ end }}
      path: /metrics
      interval: {{ $monitor.interval }}
{{- end }}
{{- end }}

{{/* A PodDisruptionBudget once there is more than one replica to keep. */}}
{{- define "bowsprit.component.pdb" -}}
{{- $values := index .root.Values .key }}
{{- if gt (int $values.replicas) 1 }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "bowsprit.componentName" . }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "bowsprit.labels" (dict "context" .root "component" .name) | nindent 4 }}
spec:
  maxUnavailable: {{ $values.pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "bowsprit.selectorLabels" (dict "context" .root "component" .name) | nindent 6 }}
{{- end }}
{{- end }}

{{/*
Least-privilege RBAC. Extra keys:
  namespaced: list of {namespace, rules}: a Role and RoleBinding in each (rules of the same
    namespace are merged, so the ProwJob and pod namespaces may be one);
  cluster: rules of a ClusterRole and ClusterRoleBinding (only for what is read or written
    in any namespace, e.g. job definitions that GitOps puts in team namespaces).
*/}}
{{- define "bowsprit.component.rbac" -}}
{{- if .root.Values.rbac.create }}
{{- $ctx := . }}
{{- $name := include "bowsprit.componentName" . }}
{{- $account := include "bowsprit.serviceAccountName" . }}
{{- $byNamespace := dict }}
{{- range .namespaced }}
{{- $_ := set $byNamespace .namespace (concat (get $byNamespace .namespace | default list) .rules) }}
{{- end }}
{{- range $namespace := keys $byNamespace | sortAlpha }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ $name }}
  namespace: {{ $namespace }}
  labels:
    {{- include "bowsprit.labels" (dict "context" $ctx.root "component" $ctx.name) | nindent 4 }}
rules:
  {{- toYaml (get $byNamespace $namespace) | nindent 2 }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ $name }}
  namespace: {{ $namespace }}
  labels:
    {{- include "bowsprit.labels" (dict "context" $ctx.root "component" $ctx.name) | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {{ $name }}
subjects:
  - kind: ServiceAccount
    name: {{ $account }}
    namespace: {{ $ctx.root.Release.Namespace }}
{{- end }}
{{- with .cluster }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {{ printf "%s-%s" $ctx.root.Release.Namespace $name | trunc 253 }}
  labels:
    {{- include "bowsprit.labels" (dict "context" $ctx.root "component" $ctx.name) | nindent 4 }}
rules:
  {{- toYaml . | nindent 2 }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: {{ printf "%s-%s" $ctx.root.Release.Namespace $name | trunc 253 }}
  labels:
    {{- include "bowsprit.labels" (dict "context" $ctx.root "component" $ctx.name) | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {{ printf "%s-%s" $ctx.root.Release.Namespace $name | trunc 253 }}
subjects:
  - kind: ServiceAccount
    name: {{ $account }}
    namespace: {{ $ctx.root.Release.Namespace }}
{{- end }}
{{- end }}
{{- end }}

{{/*
What every kopf operator reads cluster-wide to follow the cluster's shape: kopf watches
CRDs (to notice a resource appearing) and, when it serves named namespaces, lists
namespaces; without these it falls back with a warning in its log.
*/}}
{{- define "bowsprit.rules.kopf" -}}
- apiGroups: ["apiextensions.k8s.io"]
  resources: ["customresourcedefinitions"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["namespaces"]
  verbs: ["get", "list", "watch"]
{{- end }}

{{/* Reading the installation's ProwConfig (in the release namespace). */}}
{{- define "bowsprit.rules.prowconfig" -}}
- apiGroups: ["bowsprit.dev"]
  resources: ["prowconfigs"]
  verbs: ["get", "list", "watch"]
{{- end }}
