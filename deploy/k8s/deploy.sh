#!/usr/bin/env bash
# Deploy a whole overlay with the images the pipeline just pushed:
#
#   deploy/k8s/deploy.sh OVERLAY NAME=REGISTRY/IMAGE:TAG...
#   e.g. deploy/k8s/deploy.sh deploy/k8s/overlays/dev \
#          harnesshero/harness=ghcr.io/acme/harness:sha-0123456789ab \
#          harnesshero/web=ghcr.io/acme/harness-web:sha-0123456789ab
#
# 1. Renders the overlay through a wrapper kustomization (in a temporary
#    directory: the checkout is not edited) that sets every given image, and
#    refuses the result if any harnesshero/* image is left unset: a
#    placeholder tag (0000000, dev, latest) is never rolled out.
# 2. Applies every rendered object, pruning the objects labelled
#    app.kubernetes.io/part-of=harness that the overlay no longer holds (of
#    the kinds in PRUNE_ALLOWLIST). Every object the overlays render carries
#    that label (deploy/check TestDeployAppliesWholeOverlay).
# 3. With ACCESS_TOKEN_PRIVATE_KEY set (a PEM private key: the dev
#    environment's pipeline secret), creates or updates the token key
#    Secrets harness-access-token-private and -public (the public half
#    derived with openssl). They are not labelled, so pruning leaves them;
#    prod's come from its secrets manager (deploy/README.md).
# 4. Waits for every Deployment and StatefulSet of the overlay to roll out,
#    in the overlay's namespace.
#
# KUBECTL names the kubectl binary (default kubectl; its built-in kustomize
# renders); ROLLOUT_TIMEOUT bounds each rollout (default 5m).
set -euo pipefail

KUBECTL=${KUBECTL:-kubectl}
ROLLOUT_TIMEOUT=${ROLLOUT_TIMEOUT:-5m}
SELECTOR=app.kubernetes.io/part-of=harness
# Every namespaced kind the overlays render (the Namespace itself is never
# pruned). kubectl's default list lacks the HPA, PDB and NetworkPolicy.
PRUNE_ALLOWLIST=(
  core/v1/ConfigMap
  core/v1/Secret
  core/v1/Service
  apps/v1/Deployment
  apps/v1/StatefulSet
  batch/v1/CronJob
  autoscaling/v2/HorizontalPodAutoscaler
  policy/v1/PodDisruptionBudget
  networking.k8s.io/v1/NetworkPolicy
  networking.k8s.io/v1/Ingress
)

if [ $# -lt 2 ]; then
  echo "usage: $0 OVERLAY NAME=IMAGE:TAG..." >&2
  exit 2
fi
overlay=$1
shift
namespace=$(sed -n 's/^namespace:[[:space:]]*//p' "$overlay/kustomization.yaml")
if [ -z "$namespace" ]; then
  echo "deploy: $overlay/kustomization.yaml sets no namespace" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{
  echo "apiVersion: kustomize.config.k8s.io/v1beta1"
  echo "kind: Kustomization"
  echo "resources:"
  echo "  - $(realpath --relative-to="$work" "$overlay")"
  echo "images:"
  for image in "$@"; do
    name=${image%%=*} ref=${image#*=}
    tag=${ref##*:} new=${ref%:*}
    if [ "$name" = "$image" ] || [ "$new" = "$ref" ] || [[ $tag == */* ]]; then
      echo "deploy: $image: want NAME=IMAGE:TAG" >&2
      exit 2
    fi
    echo "  - name: $name"
    echo "    newName: $new"
    echo "    newTag: \"$tag\""
  done
} >"$work/kustomization.yaml"
"$KUBECTL" kustomize "$work" >"$work/rendered.yaml"

if unset_images=$(grep -E '^[[:space:]]*(- )?image: "?harnesshero/' "$work/rendered.yaml"); then
  echo "deploy: images the pipeline did not set (pass NAME=IMAGE:TAG for each):" >&2
  echo "$unset_images" | sort -u >&2
  exit 1
fi

allowlist=()
for kind in "${PRUNE_ALLOWLIST[@]}"; do allowlist+=("--prune-allowlist=$kind"); done
"$KUBECTL" apply -f "$work/rendered.yaml" --prune -l "$SELECTOR" "${allowlist[@]}"

if [ -n "${ACCESS_TOKEN_PRIVATE_KEY:-}" ]; then
  (umask 077 && printf '%s\n' "$ACCESS_TOKEN_PRIVATE_KEY" >"$work/private.pem")
  openssl pkey -in "$work/private.pem" -pubout -out "$work/public.pem"
  for half in private public; do
    "$KUBECTL" -n "$namespace" create secret generic "harness-access-token-$half" \
      --from-file="$half.pem=$work/$half.pem" --dry-run=client -o yaml |
      "$KUBECTL" apply -f -
  done
fi

# The workloads, from the rendered objects: kustomize writes each object's
# keys sorted, so metadata.name is the first two-space "name:" after "kind:".
awk '/^---/ { kind = ""; named = 0 }
  /^kind: / { kind = $2 }
  /^  name: / && !named { named = 1; if (kind == "Deployment" || kind == "StatefulSet") print tolower(kind) "/" $2 }' \
  "$work/rendered.yaml" >"$work/workloads"
while read -r workload; do
  "$KUBECTL" -n "$namespace" rollout status "$workload" --timeout="$ROLLOUT_TIMEOUT"
done <"$work/workloads"
