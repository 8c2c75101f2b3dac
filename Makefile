# cephrs: librbd.so.1 and librados.so.2 in Rust. See README.md.
#
#   make                 build the libraries into build/lib
#   make headers         regenerate include/ from the Rust definitions (cbindgen)
#   make install         install libraries, headers and pkg-config files under PREFIX
#   make test            run every test (cargo tests and capi-tests/)
#   make demo            run the seed example through the upstream Python bindings

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
CARGO ?= cargo
BUILD := build
LIBS := $(BUILD)/lib

.PHONY: all libs headers install test test-rust test-capi demo clean

all: libs

libs:
	$(CARGO) build --release --lib
	sh link/link.sh target/release/libcephrs.a $(LIBS)

headers:
	CEPHRS_UPDATE_HEADERS=1 $(CARGO) test --test headers

install: libs
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/rbd $(DESTDIR)$(INCLUDEDIR)/rados $(DESTDIR)$(PKGCONFIGDIR)
	install -m 0755 $(LIBS)/libcephrs.so.1 $(LIBS)/librbd.so.1.16.0 $(LIBS)/librados.so.2.0.0 $(DESTDIR)$(LIBDIR)/
	ln -sf librbd.so.1.16.0 $(DESTDIR)$(LIBDIR)/librbd.so.1
	ln -sf librbd.so.1 $(DESTDIR)$(LIBDIR)/librbd.so
	ln -sf librados.so.2.0.0 $(DESTDIR)$(LIBDIR)/librados.so.2
	ln -sf librados.so.2 $(DESTDIR)$(LIBDIR)/librados.so
	install -m 0644 include/rbd/librbd.h include/rbd/features.h $(DESTDIR)$(INCLUDEDIR)/rbd/
	install -m 0644 include/rados/librados.h include/rados/rados_types.h $(DESTDIR)$(INCLUDEDIR)/rados/
	for pc in librbd librados; do \
	  sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    pkgconfig/$$pc.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/$$pc.pc; \
	done

test: test-rust test-capi

test-rust:
	$(CARGO) test --release

test-capi: libs
	capi-tests/run.sh $(LIBS)

demo: libs
	capi-tests/demo/run.sh $(LIBS)

clean:
	rm -rf $(BUILD)
	$(CARGO) clean
