# Sourced by bin/oca and bin/oca-server: runs a launcher of the distribution unpacked by the build in
# distribution/target/oca-VERSION/oca-VERSION/ (the same launchers and lib/ as the archive's). It builds that once,
# and again when a pom.xml or a main source file is newer than it: never Maven on an ordinary call.
# The launcher runs in the caller's directory, so relative paths are the caller's.
dist_exec() {
  local root app dist marker
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  app="$1"; shift
  dist=$(ls -d "$root"/distribution/target/oca-*/oca-*/ 2>/dev/null | head -1)
  marker="${dist}lib"
  if [[ -z "$dist" || ! -d "$marker" || -n "$(find "$root" \( -name target -o -name .git \) -prune -o \
      \( -name pom.xml -o -path '*/src/main/*' \) -type f -newer "$marker" -print -quit)" ]]; then
    echo "$app: building the distribution (./mvnw -pl distribution -am package -DskipTests)..." >&2
    (cd "$root" && ./mvnw -B -ntp -q -pl distribution -am package -DskipTests >&2) || exit 5
    touch "$(ls -d "$root"/distribution/target/oca-*/oca-*/lib | head -1)"
    dist=$(ls -d "$root"/distribution/target/oca-*/oca-*/ | head -1)
  fi
  exec "${dist}bin/$app" "$@"
}
