# Finds a JDK 25 or newer. Sourced by the other scripts; defines lunar_find_jdk.
# Reads each candidate's `release` file instead of starting a JVM, so the look-up is cheap.

lunar_jdk_major() { # HOME -> major version, or nothing
  local release=$1/release line
  [[ -x $1/bin/java && -f $release ]] || return 1
  line=$(grep -m1 '^JAVA_VERSION=' "$release") || return 1
  line=${line#JAVA_VERSION=\"}
  line=${line%%[.\"]*}
  [[ $line =~ ^[0-9]+$ ]] && echo "$line"
}

# Prints the home of the first JDK >= 25: JAVA_HOME, then the usual install locations.
lunar_find_jdk() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" \
    /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /opt/*jdk* /usr/local/*jdk* \
    "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
    /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [[ -n $candidate && -d $candidate ]] || continue
    major=$(lunar_jdk_major "$candidate") || continue
    if ((major >= 25)); then
      echo "$candidate"
      return 0
    fi
  done
  echo "lunar: no JDK 25 or newer found (looked at JAVA_HOME and /usr/lib/jvm, /opt, ~/.sdkman); install one, e.g. Temurin 25, and set JAVA_HOME" >&2
  return 1
}
