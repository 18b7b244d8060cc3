/*
 * sha256-check.c - the ARMv8 SHA2 path of common/base/sha256.c against a plain
 * reference SHA-256, for every length 0..3000.  Built with a cross compiler
 * and run under qemu by tests/arm/run.sh; sodium.h here is a stand-in so
 * that no arm64 libsodium is needed.
 */
#include "sodium.h"
#include <stdio.h>
#include <stdlib.h>
#include "base/sha256.h"
static const uint32_t K[64]={0x428a2f98,0x71374491,0xb5c0fbcf,0xe9b5dba5,0x3956c25b,0x59f111f1,0x923f82a4,0xab1c5ed5,0xd807aa98,0x12835b01,0x243185be,0x550c7dc3,0x72be5d74,0x80deb1fe,0x9bdc06a7,0xc19bf174,0xe49b69c1,0xefbe4786,0x0fc19dc6,0x240ca1cc,0x2de92c6f,0x4a7484aa,0x5cb0a9dc,0x76f988da,0x983e5152,0xa831c66d,0xb00327c8,0xbf597fc7,0xc6e00bf3,0xd5a79147,0x06ca6351,0x14292967,0x27b70a85,0x2e1b2138,0x4d2c6dfc,0x53380d13,0x650a7354,0x766a0abb,0x81c2c92e,0x92722c85,0xa2bfe8a1,0xa81a664b,0xc24b8b70,0xc76c51a3,0xd192e819,0xd6990624,0xf40e3585,0x106aa070,0x19a4c116,0x1e376c08,0x2748774c,0x34b0bcb5,0x391c0cb3,0x4ed8aa4a,0x5b9cca4f,0x682e6ff3,0x748f82ee,0x78a5636f,0x84c87814,0x8cc70208,0x90befffa,0xa4506ceb,0xbef9a3f7,0xc67178f2};
#define R(x,n) (((x)>>(n))|((x)<<(32-(n))))
static void blk(uint32_t *h,const uint8_t *p){uint32_t w[64],a,b,c,d,e,f,g,hh;for(int i=0;i<16;i++)w[i]=(uint32_t)p[4*i]<<24|p[4*i+1]<<16|p[4*i+2]<<8|p[4*i+3];
for(int i=16;i<64;i++)w[i]=(R(w[i-2],17)^R(w[i-2],19)^(w[i-2]>>10))+w[i-7]+(R(w[i-15],7)^R(w[i-15],18)^(w[i-15]>>3))+w[i-16];
a=h[0];b=h[1];c=h[2];d=h[3];e=h[4];f=h[5];g=h[6];hh=h[7];for(int i=0;i<64;i++){uint32_t t1=hh+(R(e,6)^R(e,11)^R(e,25))+((e&f)^(~e&g))+K[i]+w[i];uint32_t t2=(R(a,2)^R(a,13)^R(a,22))+((a&b)^(a&c)^(b&c));hh=g;g=f;f=e;e=d+t1;d=c;c=b;b=a;a=t1+t2;}
h[0]+=a;h[1]+=b;h[2]+=c;h[3]+=d;h[4]+=e;h[5]+=f;h[6]+=g;h[7]+=hh;}
int sodium_init(void){return 0;} void sodium_memzero(void*p,size_t n){memset(p,0,n);}
int crypto_hash_sha256_init(crypto_hash_sha256_state*s){static const uint32_t iv[8]={0x6a09e667,0xbb67ae85,0x3c6ef372,0xa54ff53a,0x510e527f,0x9b05688c,0x1f83d9ab,0x5be0cd19};memcpy(s->h,iv,32);s->n=0;s->nb=0;return 0;}
int crypto_hash_sha256_update(crypto_hash_sha256_state*s,const unsigned char*p,unsigned long long n){for(unsigned long long i=0;i<n;i++){s->b[s->nb++]=p[i];s->n++;if(s->nb==64){blk(s->h,s->b);s->nb=0;}}return 0;}
int crypto_hash_sha256_final(crypto_hash_sha256_state*s,unsigned char*o){uint64_t bits=s->n*8;uint8_t z=0x80;crypto_hash_sha256_update(s,&z,1);z=0;while(s->nb!=56)crypto_hash_sha256_update(s,&z,1);for(int i=7;i>=0;i--){uint8_t c=(uint8_t)(bits>>(8*i));crypto_hash_sha256_update(s,&c,1);}for(int i=0;i<8;i++){o[4*i]=s->h[i]>>24;o[4*i+1]=s->h[i]>>16;o[4*i+2]=s->h[i]>>8;o[4*i+3]=s->h[i];}return 0;}
int crypto_hash_sha256(unsigned char*o,const unsigned char*p,unsigned long long n){crypto_hash_sha256_state s;crypto_hash_sha256_init(&s);crypto_hash_sha256_update(&s,p,n);return crypto_hash_sha256_final(&s,o);}
int main(void){unsigned char buf[3000],a[32],b[32];int bad=0;for(int i=0;i<3000;i++)buf[i]=(unsigned char)(i*7+3);
printf("impl: %s\n",alog_sha256_impl());for(size_t n=0;n<=3000;n++){crypto_hash_sha256(a,buf,n);alog_sha256(b,buf,n);if(memcmp(a,b,32))bad++;}
alog_sha256_pair(a,buf,buf+32);crypto_hash_sha256(b,buf,64);bad+=!!memcmp(a,b,32);printf("mismatches: %d\n",bad);return bad!=0;}
