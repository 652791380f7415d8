#!/bin/bash
# InfluxDB 2.x init script (runs once, after DOCKER_INFLUXDB_INIT_MODE=setup created org and bucket).
# Maps database "chargewatch" / retention policy "autogen" to the bucket, so InfluxQL — used by the
# collector's v1 fallback, the Grafana datasource and the dashboards — reads the same data as Flux.
# 2.x also has a virtual mapping per bucket; an explicit one keeps older 2.x releases working.
set -euo pipefail
bucket_id="${DOCKER_INFLUXDB_INIT_BUCKET_ID:-}"
if [ -z "$bucket_id" ]; then
  bucket_id=$(influx bucket list --org "$DOCKER_INFLUXDB_INIT_ORG" --name "$DOCKER_INFLUXDB_INIT_BUCKET" --hide-headers | awk '{print $1}')
fi
if influx v1 dbrp list --org "$DOCKER_INFLUXDB_INIT_ORG" --db "$DOCKER_INFLUXDB_INIT_BUCKET" --hide-headers 2>/dev/null | grep -q "$bucket_id"; then
  exit 0
fi
influx v1 dbrp create --org "$DOCKER_INFLUXDB_INIT_ORG" --bucket-id "$bucket_id" \
  --db "$DOCKER_INFLUXDB_INIT_BUCKET" --rp autogen --default
