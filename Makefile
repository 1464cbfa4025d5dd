# tinsense: build, install and package.
#
#   make                      release build (Swift runtime linked statically)
#   make install              install into $(DESTDIR)$(PREFIX) (default PREFIX=/usr/local)
#   make deb                  build dist/tinsense_$(VERSION)_$(ARCH).deb with dpkg-deb
#   make deb CONFIGURATION=debug   the same from the debug build (what CI's package test uses:
#                                  a release build costs minutes; docs/OPERATIONS.md, "Packaging")
#
# Layout (the usual places on Debian; systemd's own directories are fixed, not under PREFIX):
#   $(PREFIX)/bin/tinsense                 the binary
#   /lib/systemd/system/tinsense.service   the unit, its ExecStart pointed at $(PREFIX)/bin
#   /etc/tinsense/tinsense.toml            the example config (a conffile in the .deb)
#   /usr/lib/sysusers.d/tinsense.conf      the system user
#   /usr/lib/tmpfiles.d/tinsense.conf      /var/lib/tinsense, /var/log/tinsense
#   /usr/share/doc/tinsense/               README, operations and format docs
# `make install` does not run systemd-sysusers, systemd-tmpfiles or systemctl: it only puts
# files in place (DESTDIR may be a staging directory). The .deb's postinst does that.

PREFIX        ?= /usr/local
DESTDIR       ?=
BINDIR         = $(PREFIX)/bin
UNITDIR       ?= /lib/systemd/system
SYSCONFDIR    ?= /etc
SYSUSERSDIR   ?= /usr/lib/sysusers.d
TMPFILESDIR   ?= /usr/lib/tmpfiles.d
DOCDIR        ?= /usr/share/doc/tinsense
CONFIGURATION ?= release
# The package version: 0.1.0 plus the commit count, so each build of main sorts after the last.
VERSION       ?= 0.1.0+git$(shell git rev-list --count HEAD 2>/dev/null || echo 0)
ARCH          ?= $(shell dpkg --print-architecture)
SWIFT         ?= swift
# --static-swift-stdlib: the Swift runtime and Foundation go inside the binary, so the
# package depends only on Debian's C libraries (ldd: libmosquitto, libzstd, libcurl, libstdc++,
# libgcc_s, libm, libc). With Swift 6.3.1 the flag alone fails to link: Foundation's static
# archives depend on each other in a circle (undefined swift_uenum_close, CFHashBytes, …;
# swiftlang/swift-package-manager#10564), so they are linked again inside one linker group.
STATIC_FOUNDATION = Foundation CoreFoundation FoundationEssentials FoundationInternationalization \
	_FoundationICU _FoundationCShims _FoundationCollections swiftDispatch dispatch BlocksRuntime swiftSynchronization
SWIFT_FLAGS   ?= -c $(CONFIGURATION) --static-swift-stdlib --product tinsense \
	-Xlinker --start-group $(foreach l,$(STATIC_FOUNDATION),-Xlinker -l$(l)) -Xlinker --end-group
BUILT          = $(shell $(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)/tinsense
DIST          ?= dist
DPKG_DEB_FLAGS ?= -Zxz
STAGE          = $(DIST)/stage
DEB            = $(DIST)/tinsense_$(VERSION)_$(ARCH).deb
DEB_DEPENDS    = libmosquitto1, libzstd1, libcurl4, libstdc++6, libgcc-s1, systemd, init-system-helpers
DOCS           = README.md docs/OPERATIONS.md docs/FORMAT.md docs/ARCHITECTURE.md

.PHONY: all build install uninstall deb clean-dist
all: build

build:
	$(SWIFT) build $(SWIFT_FLAGS)

install: build
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/tinsense \
		$(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(DOCDIR)
	install -m 0755 $(BUILT) $(DESTDIR)$(BINDIR)/tinsense
	sed 's|/usr/local/bin/tinsense|$(BINDIR)/tinsense|g' systemd/tinsense.service > $(DESTDIR)$(UNITDIR)/tinsense.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/tinsense.service
	install -m 0644 config/tinsense.toml $(DESTDIR)$(SYSCONFDIR)/tinsense/tinsense.toml
	install -m 0644 packaging/tinsense.sysusers $(DESTDIR)$(SYSUSERSDIR)/tinsense.conf
	install -m 0644 packaging/tinsense.tmpfiles $(DESTDIR)$(TMPFILESDIR)/tinsense.conf
	install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/tinsense $(DESTDIR)$(UNITDIR)/tinsense.service \
		$(DESTDIR)$(SYSUSERSDIR)/tinsense.conf $(DESTDIR)$(TMPFILESDIR)/tinsense.conf
	rm -rf $(DESTDIR)$(DOCDIR)
	@echo "kept $(SYSCONFDIR)/tinsense (config) and /var/lib/tinsense (data)"

# The .deb is the `install` tree with PREFIX=/usr plus DEBIAN/ (control, conffiles, scripts).
deb: clean-dist
	$(MAKE) install PREFIX=/usr DESTDIR=$(abspath $(STAGE)) CONFIGURATION=$(CONFIGURATION)
	install -d $(STAGE)/DEBIAN
	sed -e 's|@VERSION@|$(VERSION)|' -e 's|@ARCH@|$(ARCH)|' -e 's|@DEPENDS@|$(DEB_DEPENDS)|' \
		-e "s|@INSTALLED_SIZE@|$$(du -sk --exclude=DEBIAN $(STAGE) | cut -f1)|" \
		packaging/debian/control.in > $(STAGE)/DEBIAN/control
	install -m 0644 packaging/debian/conffiles $(STAGE)/DEBIAN/conffiles
	install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm $(STAGE)/DEBIAN/
	dpkg-deb --root-owner-group $(DPKG_DEB_FLAGS) --build $(STAGE) $(DEB)
	@echo "built $(DEB)"

clean-dist:
	rm -rf $(DIST)
