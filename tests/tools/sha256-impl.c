/*
 * sha256-impl - print which SHA-256 implementation alog uses on this
 * machine (for benchmark reports).
 */
#include <stdio.h>

#include "base/sha256.h"

int main(void)
{
	puts(alog_sha256_impl());
	return 0;
}
