#!/bin/sh
# Entrypoint of the alertmanager service in docker-compose.yml: renders the configuration mounted at
# /etc/alertmanager/chargewatch (see render-alertmanager-config.sh) and starts Alertmanager on it.
set -eu
here=$(dirname "$0")
conf_dir=/tmp/alertmanager-config
sh "$here/render-alertmanager-config.sh" "$here/.." "$conf_dir"
exec /bin/alertmanager --config.file="$conf_dir/alertmanager.yml" --storage.path=/alertmanager "$@"
