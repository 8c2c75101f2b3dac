/*
 * A C program written against upstream's headers (Pacific 16.2): it must compile
 * unchanged (-Wall -Werror, C and C++) against ours, and print the same results
 * with upstream's libraries and ours. Needs no cluster.
 */
#include <rados/librados.h>
#include <rbd/librbd.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#if LIBRBD_VERSION_CODE < LIBRBD_VERSION(1, 16, 0)
#error "need librbd 1.16"
#endif
#if !defined(LIBRBD_SUPPORTS_AIO_FLUSH) || !LIBRADOS_SUPPORTS_WATCH
#error "feature macros missing"
#endif

static void print_rc(const char *what, int r) { printf("%s: %d\n", what, r); }

int main(void)
{
  int major, minor, extra;
  rbd_version(&major, &minor, &extra);
  printf("librbd %d.%d.%d\n", major, minor, extra);
  rados_version(&major, &minor, &extra);
  printf("librados %d.%d.%d\n", major, minor, extra);
  printf("features default %" PRIu64 " all %" PRIu64 " name %s\n", (uint64_t)RBD_FEATURES_DEFAULT,
         (uint64_t)RBD_FEATURES_ALL, RBD_FEATURE_NAME_EXCLUSIVE_LOCK);
  printf("snap head %" PRIu64 " all nspaces %zu\n", (uint64_t)LIBRADOS_SNAP_HEAD, strlen(LIBRADOS_ALL_NSPACES));

  rados_t cluster;
  print_rc("create2", rados_create2(&cluster, "ceph", "client.admin", 0));
  print_rc("create2 bad name", rados_create2(&cluster, "ceph", "admin", 0));
  print_rc("conf_set", rados_conf_set(cluster, "rbd_default_order", "20"));
  print_rc("conf_set unknown", rados_conf_set(cluster, "no_such_option", "1"));
  print_rc("conf_set invalid", rados_conf_set(cluster, "rbd_cache", "maybe"));
  char buf[256];
  print_rc("conf_get", rados_conf_get(cluster, "rbd_default_order", buf, sizeof buf));
  printf("rbd_default_order = %s\n", buf);
  print_rc("conf_get short", rados_conf_get(cluster, "rbd_default_order", buf, 2));
  print_rc("conf_get keyring", rados_conf_get(cluster, "keyring", buf, sizeof buf));
  printf("keyring = %s\n", buf);
  const char *argv[] = {"prog", "--rbd_cache", "false", "--leftover", NULL};
  const char *rem[4];
  print_rc("parse_argv_remainder", rados_conf_parse_argv_remainder(cluster, 4, argv, rem));
  printf("remainder: %s %s %s\n", rem[0], rem[1] ? rem[1] : "(null)", rem[2] ? rem[2] : "(null)");
  print_rc("conf_get rbd_cache", rados_conf_get(cluster, "rbd_cache", buf, sizeof buf));
  printf("rbd_cache = %s\n", buf);

  rbd_image_options_t opts;
  rbd_image_options_create(&opts);
  print_rc("opts empty", rbd_image_options_is_empty(opts));
  print_rc("opts set features", rbd_image_options_set_uint64(opts, RBD_IMAGE_OPTION_FEATURES, RBD_FEATURES_DEFAULT));
  print_rc("opts set order as string", rbd_image_options_set_string(opts, RBD_IMAGE_OPTION_ORDER, "22"));
  print_rc("opts set data pool", rbd_image_options_set_string(opts, RBD_IMAGE_OPTION_DATA_POOL, "ecpool"));
  uint64_t features = 0;
  print_rc("opts get features", rbd_image_options_get_uint64(opts, RBD_IMAGE_OPTION_FEATURES, &features));
  printf("features = %" PRIu64 "\n", features);
  print_rc("opts get unset", rbd_image_options_get_uint64(opts, RBD_IMAGE_OPTION_ORDER, &features));
  print_rc("opts get string short", rbd_image_options_get_string(opts, RBD_IMAGE_OPTION_DATA_POOL, buf, 3));
  print_rc("opts get string", rbd_image_options_get_string(opts, RBD_IMAGE_OPTION_DATA_POOL, buf, sizeof buf));
  printf("data pool = %s\n", buf);
  bool set = false;
  print_rc("opts is_set", rbd_image_options_is_set(opts, RBD_IMAGE_OPTION_DATA_POOL, &set));
  printf("is_set = %d\n", set);
  print_rc("opts unset", rbd_image_options_unset(opts, RBD_IMAGE_OPTION_DATA_POOL));
  print_rc("opts unset again", rbd_image_options_unset(opts, RBD_IMAGE_OPTION_DATA_POOL));
  print_rc("opts bad name", rbd_image_options_set_uint64(opts, 99, 1));
  rbd_image_options_clear(opts);
  print_rc("opts empty after clear", rbd_image_options_is_empty(opts));
  rbd_image_options_destroy(opts);

  rbd_completion_t comp;
  int cb_arg = 42;
  print_rc("rbd completion", rbd_aio_create_completion(&cb_arg, NULL, &comp));
  print_rc("rbd completion is_complete", rbd_aio_is_complete(comp));
  printf("rbd completion arg ok: %d\n", rbd_aio_get_arg(comp) == &cb_arg);
  printf("rbd completion value: %zd\n", rbd_aio_get_return_value(comp));
  rbd_aio_release(comp);
  rados_completion_t rc;
  print_rc("rados completion", rados_aio_create_completion2(NULL, NULL, &rc));
  print_rc("rados completion is_complete", rados_aio_is_complete(rc));
  print_rc("rados completion value", rados_aio_get_return_value(rc));
  printf("rados completion version: %" PRIu64 "\n", rados_aio_get_version(rc));
  rados_aio_release(rc);

  rados_shutdown(cluster);
  return 0;
}
