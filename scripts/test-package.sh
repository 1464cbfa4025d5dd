#!/usr/bin/env bash
# The install test: builds the .deb with `make deb`, checks its contents and metadata with
# dpkg-deb, unpacks it into a scratch root and runs what its postinst runs there (--root),
# then checks the installed unit with `systemd-analyze verify --root`. On a throwaway CI
# machine (CI set, running as root) it also installs the package for real with apt, checks
# the user, the directories and the enablement, and purges it again.
#
# CI packages the debug build (TINSENSE_PACKAGE_CONFIGURATION=debug, the default here): it
# only relinks what `swift build` already built, where a release build costs minutes
# (docs/OPERATIONS.md, "Packaging"). `TINSENSE_PACKAGE_CONFIGURATION=release` checks the
# release package the same way.
set -euo pipefail
cd "$(dirname "$0")/.."
configuration=${TINSENSE_PACKAGE_CONFIGURATION:-debug}
passed=0
failed=0
check() { # check DESCRIPTION COMMAND...: the command's output is shown only when it fails
    local what=$1
    shift
    if "$@" >"$dist/check.log" 2>&1; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $what" >&2
        sed 's/^/    /' "$dist/check.log" >&2
    fi
}

dist=$(mktemp -d /tmp/tinsense-package.XXXXXX)
root="$dist/root"
trap 'rm -rf "$dist"' EXIT
# gzip -1: the debug binary is ~100 MB and dpkg-deb's default xz takes minutes for it.
make --no-print-directory deb CONFIGURATION="$configuration" DIST="$dist/out" DPKG_DEB_FLAGS="-Zgzip -z1" >"$dist/make.log" 2>&1 || {
    cat "$dist/make.log" >&2
    exit 1
}
deb=$(ls "$dist"/out/tinsense_*.deb)
echo "package: built $(basename "$deb") ($configuration, $(du -h "$deb" | cut -f1))"

# Contents and metadata.
contents=$(dpkg-deb -c "$deb")
for path in ./usr/bin/tinsense ./lib/systemd/system/tinsense.service ./etc/tinsense/tinsense.toml \
    ./usr/lib/sysusers.d/tinsense.conf ./usr/lib/tmpfiles.d/tinsense.conf \
    ./usr/share/doc/tinsense/OPERATIONS.md ./usr/share/doc/tinsense/README.md; do
    check "the package holds $path" grep -q " $path\$" <<<"$contents"
done
check "every file is owned by root:root" bash -c '! grep -v " root/root " <<<"$1" | grep -q .' _ "$contents"
check "the binary is executable (0755)" grep -q '^-rwxr-xr-x .* ./usr/bin/tinsense$' <<<"$contents"
info=$(dpkg-deb -I "$deb")
for dependency in libmosquitto1 libzstd1 libcurl4 systemd; do
    check "Depends names $dependency" grep -Eq "^ Depends:.*\b$dependency\b" <<<"$info"
done
check "the example config is a conffile" bash -c '[[ $(dpkg-deb --ctrl-tarfile "$1" | tar -xO ./conffiles) == /etc/tinsense/tinsense.toml ]]' _ "$deb"
for script in postinst prerm postrm; do
    check "$script is in the control archive" grep -Eq "^ .* $script\$|^ +[0-9]+ bytes, +[0-9]+ lines +\* +$script " <<<"$info"
done

# Unpacked into a scratch root, with what postinst does run against that root. The root gets
# the host's systemd units first (a Debian system has them), so `verify --root` finds the
# targets the unit orders itself against.
mkdir -p "$root/etc" "$root/lib/systemd"
cp -a /lib/systemd/system "$root/lib/systemd/"
dpkg -x "$deb" "$root"
check "the Swift runtime is inside the binary (ldd names no libswift/libFoundation)" \
    bash -c '! ldd "$1" | grep -Eq "libswift|libFoundation|libdispatch|not found"' _ "$root/usr/bin/tinsense"
check "the unit starts the installed binary" grep -q '^ExecStart=/usr/bin/tinsense run ' "$root/lib/systemd/system/tinsense.service"
check "systemd-sysusers creates the user" systemd-sysusers --root="$root" "$root/usr/lib/sysusers.d/tinsense.conf"
check "the tinsense user has no login shell" grep -q '^tinsense:x:[0-9]*:[0-9]*:.*:/var/lib/tinsense:/usr/sbin/nologin$' "$root/etc/passwd"
check "systemd-tmpfiles creates the directories" systemd-tmpfiles --root="$root" --create "$root/usr/lib/tmpfiles.d/tinsense.conf"
check "/var/lib/tinsense is 0750" bash -c '[[ $(stat -c %a "$1/var/lib/tinsense") == 750 ]]' _ "$root"
check "systemctl enables the unit" systemctl --root="$root" --quiet enable tinsense.service
check "enabled means wanted by multi-user.target" test -L "$root/etc/systemd/system/multi-user.target.wants/tinsense.service"
# The scratch root holds only the package; what the unit runs from the base system
# (ExecReload's /bin/kill, procps) is copied in, as an installed system has it.
mkdir -p "$root/bin" && cp /bin/kill "$root/bin/kill"
verify_output=$(systemd-analyze verify --root="$root" /lib/systemd/system/tinsense.service 2>&1) || true
check "systemd-analyze verify prints nothing for the installed unit" test -z "$verify_output"
[[ -z $verify_output ]] || echo "$verify_output" >&2
check "the installed binary accepts the installed config" "$root/usr/bin/tinsense" check-config "$root/etc/tinsense/tinsense.toml"

# For real, on a machine that is thrown away afterwards.
if [[ -n ${CI:-} && $(id -u) -eq 0 ]]; then
    had_user=$(getent passwd tinsense >/dev/null && echo yes || echo no)
    had_data=$([[ -e /var/lib/tinsense ]] && echo yes || echo no)
    apt=(apt-get -o DPkg::Lock::Timeout=300 -y -qq)
    if DEBIAN_FRONTEND=noninteractive "${apt[@]}" install "$deb" >"$dist/apt.log" 2>&1; then
        passed=$((passed + 1))
        check "apt installed the user" bash -c 'getent passwd tinsense >/dev/null'
        check "apt enabled the unit" test -L /etc/systemd/system/multi-user.target.wants/tinsense.service
        check "the data directory belongs to tinsense" bash -c '[[ $(stat -c %U:%a /var/lib/tinsense) == tinsense:750 ]]'
        check "the service was not started" bash -c 'for p in /proc/[0-9]*; do [[ $(readlink "$p/exe" 2>/dev/null) != /usr/bin/tinsense ]] || exit 1; done'
        verify_output=$(systemd-analyze verify /lib/systemd/system/tinsense.service 2>&1) || true
        check "systemd-analyze verify prints nothing for the unit apt installed" test -z "$verify_output"
        DEBIAN_FRONTEND=noninteractive "${apt[@]}" purge tinsense >>"$dist/apt.log" 2>&1
        check "purge removed the binary and the unit" bash -c '[[ ! -e /usr/bin/tinsense && ! -e /lib/systemd/system/tinsense.service ]]'
        [[ $had_user == yes ]] || userdel tinsense 2>/dev/null || true
        [[ $had_data == yes ]] || rm -rf /var/lib/tinsense /var/log/tinsense
    else
        failed=$((failed + 1))
        echo "FAIL: apt-get install $deb" >&2
        cat "$dist/apt.log" >&2
    fi
fi

echo "package: $passed passed, $failed failed"
((failed == 0))
