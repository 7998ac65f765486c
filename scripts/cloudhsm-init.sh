#!/usr/bin/env bash
# One-time initialisation of a CloudHSM cluster for this service (docs/cloudhsm-runbook.md):
# fetches the cluster's CSR, signs it with a new issuing CA made here, initialises the cluster
# with the signed certificate and the CA as trust anchor, and stores the crypto user's PIN in
# Secrets Manager in the form CloudHSM's PKCS#11 library expects (<user>:<password>). Activating
# the cluster and creating the crypto user need the CloudHSM CLI on an instance in the cluster's
# VPC; the script prints those commands. Re-running it after a step failed resumes: every step
# checks what is done first.
#
# Usage: scripts/cloudhsm-init.sh --cluster-id cluster-… --work-dir DIR [--secret-name NAME] [--crypto-user NAME]
set -euo pipefail

cluster_id=''
work_dir=''
secret_name='open-kms/pkcs11-pin'
crypto_user='open_kms'

usage() {
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
  case "$1" in
    --cluster-id) cluster_id="${2:-}"; shift 2 ;;
    --work-dir) work_dir="${2:-}"; shift 2 ;;
    --secret-name) secret_name="${2:-}"; shift 2 ;;
    --crypto-user) crypto_user="${2:-}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "cloudhsm-init: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
if ! [[ "$cluster_id" =~ ^cluster-[a-z0-9]+$ ]]; then echo 'cloudhsm-init: --cluster-id cluster-… is required' >&2; exit 2; fi
if [ -z "$work_dir" ]; then echo 'cloudhsm-init: --work-dir DIR is required (the CA key is written there: keep it offline)' >&2; exit 2; fi
if ! [[ "$crypto_user" =~ ^[A-Za-z0-9_]{1,31}$ ]]; then echo 'cloudhsm-init: --crypto-user must be 1-31 letters, digits or _' >&2; exit 2; fi
for tool in aws openssl; do
  command -v "$tool" > /dev/null || { echo "cloudhsm-init: $tool is not installed" >&2; exit 2; }
done
mkdir -p "$work_dir"
umask 077

state=$(aws cloudhsmv2 describe-clusters --filters "clusterIds=$cluster_id" --query 'Clusters[0].State' --output text)
echo "cluster $cluster_id is $state"

if [ "$state" = 'UNINITIALIZED' ]; then
  csr="$work_dir/${cluster_id}_ClusterCsr.csr"
  aws cloudhsmv2 describe-clusters --filters "clusterIds=$cluster_id" --query 'Clusters[0].Certificates.ClusterCsr' --output text > "$csr"
  [ -s "$csr" ] || { echo 'cloudhsm-init: the cluster has no CSR yet: create its first HSM and wait until it is active' >&2; exit 1; }
  if [ ! -f "$work_dir/customerCA.key" ]; then
    openssl genrsa -out "$work_dir/customerCA.key" 2048
    openssl req -new -x509 -days 3652 -key "$work_dir/customerCA.key" -out "$work_dir/customerCA.crt" -subj "/CN=open-kms issuing CA for $cluster_id"
  fi
  openssl x509 -req -days 3652 -in "$csr" -CA "$work_dir/customerCA.crt" -CAkey "$work_dir/customerCA.key" -CAcreateserial \
    -out "$work_dir/${cluster_id}_CustomerHsmCertificate.crt"
  aws cloudhsmv2 initialize-cluster --cluster-id "$cluster_id" \
    --signed-cert "file://$work_dir/${cluster_id}_CustomerHsmCertificate.crt" --trust-anchor "file://$work_dir/customerCA.crt"
  echo "initialising $cluster_id; wait until describe-clusters shows INITIALIZED, then run this script again"
  exit 0
fi

if [ "$state" = 'INITIALIZED' ]; then
  cat <<STEPS
Activate the cluster and create the crypto user from an instance in the cluster's VPC with the
CloudHSM CLI (Client SDK 5), with $work_dir/customerCA.crt as /opt/cloudhsm/etc/customerCA.crt:
  sudo /opt/cloudhsm/bin/configure-cli -a <IP of an HSM of the cluster>
  /opt/cloudhsm/bin/cloudhsm-cli cluster activate
  /opt/cloudhsm/bin/cloudhsm-cli interactive
    login --username admin --role admin
    user create --username $crypto_user --role crypto-user
Then run this script again to store the crypto user's PIN.
STEPS
  exit 0
fi

if [ "$state" != 'ACTIVE' ]; then echo "cloudhsm-init: the cluster is $state; wait until it is ACTIVE" >&2; exit 1; fi
if aws secretsmanager describe-secret --secret-id "$secret_name" > /dev/null 2>&1; then
  echo "secret $secret_name exists; nothing to do"
else
  if [ -t 0 ]; then read -r -s -p "password of crypto user $crypto_user: " password; echo; else read -r password; fi
  [ -n "$password" ] || { echo 'cloudhsm-init: an empty password' >&2; exit 2; }
  # Through a file, so the PIN never appears in a process list.
  pin_file=$(mktemp)
  trap 'rm -f "$pin_file"' EXIT
  printf '%s:%s' "$crypto_user" "$password" > "$pin_file"
  aws secretsmanager create-secret --name "$secret_name" --description "PKCS#11 PIN of CloudHSM crypto user $crypto_user" \
    --secret-string "file://$pin_file" > /dev/null
  echo "stored the PIN of $crypto_user in $secret_name"
fi
echo "deploy with -c keyBackend=cloudhsm -c cloudHsmClusterId=$cluster_id -c hsmPinSecretArn=<ARN of $secret_name> (docs/cloudhsm-runbook.md)"
