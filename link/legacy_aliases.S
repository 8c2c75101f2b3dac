/*
 * Hidden-base ("name@") aliases of librados' pre-Nautilus C symbols, as upstream
 * exports them: binaries linked against librados before 14.2.0 bind to these.
 * Each jumps to the Rust implementation of the legacy behaviour
 * (src/capi/librados/pool.rs, src/capi/librados/tmap.rs). x86-64 only.
 */
	.text

#define LEGACY_ALIAS(name)                                  \
	.globl cephrs_alias_##name;                         \
	.type cephrs_alias_##name,@function;                \
cephrs_alias_##name:                                        \
	jmp cephrs_legacy_##name;                           \
	.size cephrs_alias_##name, .-cephrs_alias_##name;   \
	.symver cephrs_alias_##name, name@

LEGACY_ALIAS(rados_ioctx_pool_stat)
LEGACY_ALIAS(rados_tmap_get)
LEGACY_ALIAS(rados_tmap_put)
LEGACY_ALIAS(rados_tmap_update)

	.section .note.GNU-stack,"",@progbits
