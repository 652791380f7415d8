#!/bin/sh
# Renders alerting/alertmanager.yml for a deployment (Alertmanager 0.25 has no webhook `url_file` and
# no environment substitution).
#
#   render-alertmanager-config.sh SRC_DIR OUT_DIR
#
# Copies SRC_DIR/alertmanager.yml and SRC_DIR/templates/*.tmpl to OUT_DIR. On a line ending in
# `# env:NAME` the first single-quoted value is replaced by $NAME; on a line ending in `# file:NAME`
# by the first line of $ALERTMANAGER_SECRETS_DIR/NAME (default /run/secrets/alertmanager). Unset
# variables and missing files leave the placeholder in place. Single quotes in values are escaped
# for YAML. Only POSIX sh and awk are used (the prom/alertmanager image is busybox-based).
set -eu

src=${1:?usage: render-alertmanager-config.sh SRC_DIR OUT_DIR}
out=${2:?usage: render-alertmanager-config.sh SRC_DIR OUT_DIR}
secrets=${ALERTMANAGER_SECRETS_DIR:-/run/secrets/alertmanager}

mkdir -p "$out/templates"
cp "$src"/templates/*.tmpl "$out/templates/"

awk -v secrets="$secrets" '
  function value_for(kind, name,    v, f) {
    if (kind == "env") return (name in ENVIRON && ENVIRON[name] != "") ? ENVIRON[name] : "\001"
    f = secrets "/" name
    if ((getline v < f) > 0) { close(f); sub(/\r$/, "", v); return v }
    close(f)
    return "\001"
  }
  match($0, /# (env|file):[A-Za-z_][A-Za-z0-9_]*[ \t]*$/) {
    tag = substr($0, RSTART + 2)
    sub(/[ \t]+$/, "", tag)
    kind = substr(tag, 1, index(tag, ":") - 1)
    name = substr(tag, index(tag, ":") + 1)
    v = value_for(kind, name)
    if (v != "\001") {
      open = index($0, "\047")
      rest = substr($0, open + 1)
      close_at = index(rest, "\047")
      if (open > 0 && close_at > 0) {
        gsub(/\047/, "\047\047", v)
        $0 = substr($0, 1, open) v substr(rest, close_at)
      }
    }
  }
  { print }
' "$src/alertmanager.yml" > "$out/alertmanager.yml.tmp"
mv "$out/alertmanager.yml.tmp" "$out/alertmanager.yml"
