/* 4 KiB random writes through rados_aio_write, a fixed number in flight,
 * over objects of a fixed size: the librados side of bench/local_store.sh.
 *
 *   rados_aio_randwrite CEPH_CONF POOL SPACE_MIB OBJECT_MIB IODEPTH SECONDS
 *
 * Prints one line: ops, seconds, IOPS, and client CPU (user+sys of the whole
 * process) per operation in microseconds.
 */
#include <rados/librados.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define BS 4096

struct slot {
  rados_completion_t c;
  int busy;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int free_slots;
static long done_ops, errors;

static void on_complete(rados_completion_t c, void *arg)
{
  struct slot *s = arg;
  int r = rados_aio_get_return_value(c);
  pthread_mutex_lock(&lock);
  if (r < 0)
    errors++;
  done_ops++;
  s->busy = 0;
  free_slots++;
  pthread_cond_signal(&cond);
  pthread_mutex_unlock(&lock);
}

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu(void)
{
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
  if (argc != 7) {
    fprintf(stderr, "usage: %s CEPH_CONF POOL SPACE_MIB OBJECT_MIB IODEPTH SECONDS\n", argv[0]);
    return 2;
  }
  uint64_t space = strtoull(argv[3], 0, 10) << 20, object = strtoull(argv[4], 0, 10) << 20;
  int depth = atoi(argv[5]);
  double seconds = atof(argv[6]);
  rados_t cluster;
  rados_ioctx_t io;
  if (rados_create(&cluster, NULL) < 0 || rados_conf_read_file(cluster, argv[1]) < 0 ||
      rados_connect(cluster) < 0 || rados_ioctx_create(cluster, argv[2], &io) < 0) {
    fprintf(stderr, "cannot open pool %s\n", argv[2]);
    return 1;
  }
  char *buf = malloc(BS);
  for (int i = 0; i < BS; i++)
    buf[i] = (char)(i * 7);
  struct slot *slots = calloc(depth, sizeof *slots);
  free_slots = depth;
  uint64_t blocks = space / BS, x = 88172645463325252ull;
  char name[64];
  double t0 = now(), c0 = cpu();
  long issued = 0;
  while (now() - t0 < seconds) {
    pthread_mutex_lock(&lock);
    while (free_slots == 0)
      pthread_cond_wait(&cond, &lock);
    int k = 0;
    while (slots[k].busy)
      k++;
    slots[k].busy = 1;
    free_slots--;
    pthread_mutex_unlock(&lock);
    if (slots[k].c)
      rados_aio_release(slots[k].c);
    rados_aio_create_completion2(&slots[k], on_complete, &slots[k].c);
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    uint64_t off = (x % blocks) * BS;
    snprintf(name, sizeof name, "bench.%016llx", (unsigned long long)(off / object));
    if (rados_aio_write(io, name, slots[k].c, buf, BS, off % object) < 0) {
      fprintf(stderr, "submit failed\n");
      return 1;
    }
    issued++;
  }
  pthread_mutex_lock(&lock);
  while (free_slots < depth)
    pthread_cond_wait(&cond, &lock);
  pthread_mutex_unlock(&lock);
  double t = now() - t0, c = cpu() - c0;
  for (int k = 0; k < depth; k++)
    if (slots[k].c)
      rados_aio_release(slots[k].c);
  rados_ioctx_destroy(io);
  rados_shutdown(cluster);
  printf("ops %ld seconds %.2f iops %.0f cpu_us_per_op %.1f errors %ld\n", done_ops, t, done_ops / t,
         c * 1e6 / done_ops, errors);
  return errors ? 1 : 0;
}
