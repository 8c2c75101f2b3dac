/* Concurrency test through the librados C API: 8 threads, each keeping 64
 * asynchronous operations in flight on objects they all share, then checking
 * every byte.
 *
 *   concurrency CEPH_CONF POOL
 *
 * Each thread, per round: 64 aio writes of its own 4 KiB slots spread over 4
 * shared objects (completion callbacks counted), aio reads of the same slots
 * checked against what it wrote, 64 aio appends of 32-byte records to one
 * shared log object, and a compound write op setting an omap key on a shared
 * object. At the end: every slot holds its last write, the log holds every
 * record whole, the omap every key. Prints one summary line; exit status 1 on
 * any mismatch. Runs against any librados (ours or upstream's).
 */
#include <rados/librados.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 8
#define INFLIGHT 64
#define ROUNDS 12
#define SLOT 4096
#define OBJECTS 4
#define RECORD 32

static rados_ioctx_t io;
static atomic_long callbacks;
static atomic_int failures;

static void fail(const char *what, long a, long b)
{
  if (atomic_fetch_add(&failures, 1) < 10)
    fprintf(stderr, "FAIL: %s (%ld, %ld)\n", what, a, b);
}

static void on_complete(rados_completion_t c, void *arg)
{
  (void)c;
  (void)arg;
  atomic_fetch_add(&callbacks, 1);
}

static void fill(char *buf, int thread, int slot, int round)
{
  for (int i = 0; i < SLOT; i++)
    buf[i] = (char)(thread * 31 + slot * 7 + round * 13 + i);
}

static void object_name(char *name, int slot)
{
  snprintf(name, 32, "shared-%d", slot % OBJECTS);
}

static uint64_t slot_offset(int thread, int slot)
{
  return ((uint64_t)thread * INFLIGHT + (uint64_t)slot / OBJECTS) * SLOT;
}

static void *worker(void *arg)
{
  int t = (int)(long)arg;
  static __thread char data[INFLIGHT][SLOT];
  static __thread char back[INFLIGHT][SLOT];
  rados_completion_t c[INFLIGHT];
  char name[32];
  for (int round = 0; round < ROUNDS; round++) {
    for (int s = 0; s < INFLIGHT; s++) {
      fill(data[s], t, s, round);
      object_name(name, s);
      if (rados_aio_create_completion2(NULL, on_complete, &c[s]) < 0)
        fail("create completion", t, s);
      int r = rados_aio_write(io, name, c[s], data[s], SLOT, slot_offset(t, s));
      if (r < 0)
        fail("aio_write submit", t, r);
    }
    for (int s = 0; s < INFLIGHT; s++) {
      rados_aio_wait_for_complete_and_cb(c[s]);
      if (rados_aio_get_return_value(c[s]) != 0)
        fail("aio_write result", t, rados_aio_get_return_value(c[s]));
      rados_aio_release(c[s]);
    }
    for (int s = 0; s < INFLIGHT; s++) {
      object_name(name, s);
      rados_aio_create_completion2(NULL, on_complete, &c[s]);
      int r = rados_aio_read(io, name, c[s], back[s], SLOT, slot_offset(t, s));
      if (r < 0)
        fail("aio_read submit", t, r);
    }
    for (int s = 0; s < INFLIGHT; s++) {
      rados_aio_wait_for_complete_and_cb(c[s]);
      if (rados_aio_get_return_value(c[s]) != SLOT)
        fail("aio_read length", t, rados_aio_get_return_value(c[s]));
      else if (memcmp(back[s], data[s], SLOT) != 0)
        fail("aio_read data", t, s);
      rados_aio_release(c[s]);
    }
    for (int s = 0; s < INFLIGHT; s++) {
      char rec[RECORD];
      memset(rec, 'a' + t, RECORD);
      snprintf(rec, RECORD, "t%d r%d s%d|", t, round, s);
      rados_aio_create_completion2(NULL, on_complete, &c[s]);
      if (rados_aio_append(io, "shared-log", c[s], rec, RECORD) < 0)
        fail("aio_append submit", t, s);
    }
    for (int s = 0; s < INFLIGHT; s++) {
      rados_aio_wait_for_complete_and_cb(c[s]);
      if (rados_aio_get_return_value(c[s]) != 0)
        fail("aio_append result", t, rados_aio_get_return_value(c[s]));
      rados_aio_release(c[s]);
    }
    char key[32], val[32];
    snprintf(key, sizeof key, "t%d-r%d", t, round);
    snprintf(val, sizeof val, "v%d", round);
    const char *keys[] = {key};
    const char *vals[] = {val};
    size_t lens[] = {strlen(val)};
    rados_write_op_t op = rados_create_write_op();
    rados_write_op_omap_set(op, keys, vals, lens, 1);
    rados_completion_t oc;
    rados_aio_create_completion2(NULL, on_complete, &oc);
    if (rados_aio_write_op_operate(op, io, oc, "shared-omap", NULL, 0) < 0)
      fail("write op submit", t, round);
    rados_aio_wait_for_complete_and_cb(oc);
    if (rados_aio_get_return_value(oc) != 0)
      fail("write op result", t, rados_aio_get_return_value(oc));
    rados_aio_release(oc);
    rados_release_write_op(op);
  }
  return NULL;
}

int main(int argc, char **argv)
{
  if (argc != 3) {
    fprintf(stderr, "usage: %s CEPH_CONF POOL\n", argv[0]);
    return 2;
  }
  rados_t cluster;
  if (rados_create(&cluster, NULL) < 0 || rados_conf_read_file(cluster, argv[1]) < 0 ||
      rados_connect(cluster) < 0 || rados_ioctx_create(cluster, argv[2], &io) < 0) {
    fprintf(stderr, "FAIL: cannot open pool %s with %s\n", argv[2], argv[1]);
    return 1;
  }
  pthread_t th[THREADS];
  for (long t = 0; t < THREADS; t++)
    pthread_create(&th[t], NULL, worker, (void *)t);
  for (int t = 0; t < THREADS; t++)
    pthread_join(th[t], NULL);
  if (rados_aio_flush(io) < 0)
    fail("aio_flush", 0, 0);

  /* every slot holds its last write */
  char *want = malloc(SLOT), *got = malloc(SLOT);
  char name[32];
  for (int t = 0; t < THREADS; t++)
    for (int s = 0; s < INFLIGHT; s++) {
      fill(want, t, s, ROUNDS - 1);
      object_name(name, s);
      int r = rados_read(io, name, got, SLOT, slot_offset(t, s));
      if (r != SLOT || memcmp(want, got, SLOT) != 0)
        fail("final slot", t, s);
    }
  /* the log holds every record whole */
  uint64_t size = 0;
  time_t mtime;
  rados_stat(io, "shared-log", &size, &mtime);
  long records = (long)(size / RECORD);
  if (size != (uint64_t)THREADS * ROUNDS * INFLIGHT * RECORD)
    fail("log size", (long)size, (long)THREADS * ROUNDS * INFLIGHT * RECORD);
  char *log = malloc(size ? size : 1);
  if (rados_read(io, "shared-log", log, size, 0) != (int)size)
    fail("log read", 0, 0);
  int seen[THREADS][ROUNDS][INFLIGHT];
  memset(seen, 0, sizeof seen);
  for (long i = 0; i < records; i++) {
    char *rec = log + i * RECORD;
    int t, rd, s;
    if (sscanf(rec, "t%d r%d s%d|", &t, &rd, &s) != 3 || t < 0 || t >= THREADS || rd < 0 || rd >= ROUNDS ||
        s < 0 || s >= INFLIGHT || rec[RECORD - 1] != 'a' + t) {
      fail("torn log record", i, 0);
      continue;
    }
    seen[t][rd][s]++;
  }
  for (int t = 0; t < THREADS; t++)
    for (int rd = 0; rd < ROUNDS; rd++)
      for (int s = 0; s < INFLIGHT; s++)
        if (seen[t][rd][s] != 1)
          fail("log record count", t * 10000 + rd * 100 + s, seen[t][rd][s]);
  /* the omap holds every key */
  rados_read_op_t rop = rados_create_read_op();
  rados_omap_iter_t it;
  int prval = -1;
  unsigned char more = 0;
  rados_read_op_omap_get_vals2(rop, "", "", 1000, &it, &more, &prval);
  if (rados_read_op_operate(rop, io, "shared-omap", 0) < 0 || prval != 0)
    fail("omap read", prval, 0);
  unsigned keys = rados_omap_iter_size(it);
  if (keys != THREADS * ROUNDS)
    fail("omap keys", keys, THREADS * ROUNDS);
  rados_omap_get_end(it);
  rados_release_read_op(rop);

  long ops = (long)THREADS * ROUNDS * (3 * INFLIGHT + 1);
  if (atomic_load(&callbacks) != ops)
    fail("callbacks", atomic_load(&callbacks), ops);
  rados_ioctx_destroy(io);
  rados_shutdown(cluster);
  if (atomic_load(&failures)) {
    fprintf(stderr, "concurrency: %d failures\n", atomic_load(&failures));
    return 1;
  }
  printf("concurrency: %d threads x %d aio in flight x %d rounds on shared objects: %ld operations, "
         "%ld callbacks, %ld log records, %u omap keys, all checked\n",
         THREADS, INFLIGHT, ROUNDS, ops, atomic_load(&callbacks), records, keys);
  return 0;
}
