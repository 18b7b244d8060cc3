/*
 * gen-events - write N realistic audit events (~250 bytes each), one JSON
 * object per line, deterministically from a seed: the benchmark corpus.
 *
 *   gen-events N [SEED]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t state;

static uint64_t rnd(void)
{
	/* splitmix64: fast, deterministic, good enough for test data */
	uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#define PICK(a) (a[rnd() % (sizeof(a) / sizeof(a[0]))])

int main(int argc, char **argv)
{
	static const char *actors[] = {"alice", "bob", "carol", "dave", "erin", "svc-deploy",
	                               "svc-backup", "svc-billing", "mallory", "oncall-db"};
	static const char *actions[] = {"db.query", "db.update", "auth.login", "auth.logout",
	                                "config.change", "shell.exec", "api.call", "file.read"};
	static const char *targets[] = {"payments", "ledger", "users", "orders", "sessions",
	                                "inventory", "audit", "billing"};
	static const char *msgs[] = {
		"SELECT id, amount FROM payments WHERE status = 'pending' LIMIT 100",
		"UPDATE orders SET state = 'shipped' WHERE id = 88412",
		"login from new device; mfa ok",
		"systemctl restart pgbouncer",
		"pool_size changed from 32 to 64",
		"GET /v1/accounts/4411/balance",
		"kubectl rollout restart deploy/api",
		"read /etc/app/secrets.yaml (permission check passed)",
	};
	long n = argc > 1 ? atol(argv[1]) : 1000;
	state = argc > 2 ? strtoull(argv[2], NULL, 10) : 42;

	for (long i = 0; i < n; i++) {
		unsigned host = (unsigned)(rnd() % 16);
		printf("{\"actor\":\"%s\",\"action\":\"%s\",\"target\":\"%s\",\"src\":{\"ip\":"
		       "\"10.%u.%u.%u\",\"host\":\"app-%02u\"},\"rows\":%u,\"latency_ms\":%u.%u,"
		       "\"session\":\"%08llx\",\"request\":\"req-%016llx\",\"msg\":\"%s\"}\n",
		       PICK(actors), PICK(actions), PICK(targets), (unsigned)(rnd() % 4),
		       (unsigned)(rnd() % 256), (unsigned)(rnd() % 256), host,
		       (unsigned)(rnd() % 5000), (unsigned)(rnd() % 900), (unsigned)(rnd() % 10),
		       (unsigned long long)(rnd() & 0xffffffffULL), (unsigned long long)rnd(), PICK(msgs));
	}
	return ferror(stdout) ? 1 : 0;
}
