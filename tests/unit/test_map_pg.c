/*
 * test_map_pg.c - the postgres-jsonlog mapping, byte for byte: lines of
 * every awkward shape (escapes, unicode, whitespace, missing and extra
 * members, nesting, non-objects, invalid JSON and UTF-8, huge lines) with
 * the members or the error the mapping gave before it took the members
 * from the validator's one pass; each line mapped by the one-pass path
 * and by the portable path (a walk of the compact line), and mutated
 * lines compared across the two.
 */
#include <stdint.h>

#include "base/enc.h"
#include "base/sha256.h"
#include "capture/source.h"
#include "policy/event.h"
#include "t.h"

struct pg_case {
	const char *in;
	size_t n;
	int rc;
	const char *want; /* the members, or the error message */
};

/* generated from the mapping before the one-pass change: (input, rc, output or message) */
static const struct pg_case pg_cases[] = {
	{"{\"timestamp\":\"2026-12-02 10:00:00.000 UTC\",\"user\":\"app0\",\"dbname\":\"shop\""
	  ",\"pid\":4000,\"remote_host\":\"10.0.0.0\",\"remote_port\":40000,\"session_id\":\"6b"
	  "0ff700.fa0\",\"line_num\":1,\"ps\":\"authentication\",\"session_start\":\"2026-12-02"
	  " 10:00:00.000 UTC\",\"vxid\":\"3/0\",\"txid\":0,\"error_severity\":\"LOG\",\"message"
	  "\":\"connection authorized: user=app0 database=shop application_name=psql\",\"applic"
	  "ation_name\":\"psql\",\"backend_type\":\"client backend\",\"query_id\":0}",
	 435, 0,
	 ",\"action\":\"db.connect\",\"actor\":\"app0\",\"target\":\"shop\",\"src\":{\"ip\":\""
	 "10.0.0.0\",\"port\":40000},\"result\":\"success\",\"session\":\"6b0ff700.fa0\",\"msg"
	 "\":\"connection authorized: user=app0 database=shop application_name=psql\",\"pg\":{"
	 "\"timestamp\":\"2026-12-02 10:00:00.000 UTC\",\"pid\":4000,\"line_num\":1,\"ps\":\"a"
	 "uthentication\",\"session_start\":\"2026-12-02 10:00:00.000 UTC\",\"vxid\":\"3/0\","
	 "\"txid\":0,\"error_severity\":\"LOG\",\"application_name\":\"psql\",\"backend_type\""
	 ":\"client backend\",\"query_id\":0}"},
	{"{\"timestamp\":\"2026-12-02 10:00:00.000 UTC\",\"user\":\"app0\",\"dbname\":\"shop\""
	  ",\"pid\":4000,\"remote_host\":\"10.0.0.0\",\"remote_port\":40000,\"session_id\":\"6b"
	  "0ff700.fa0\",\"line_num\":1,\"ps\":\"idle\",\"session_start\":\"2026-12-02 10:00:00."
	  "001 UTC\",\"vxid\":\"3/1\",\"txid\":0,\"error_severity\":\"LOG\",\"message\":\"state"
	  "ment: select id, total from orders where customer_id = 1 and status = 'open' order b"
	  "y created_at desc limit 20\",\"application_name\":\"psql\",\"backend_type\":\"client"
	  " backend\",\"query_id\":0}",
	 472, 0,
	 ",\"action\":\"db.query\",\"actor\":\"app0\",\"target\":\"shop\",\"src\":{\"ip\":\"10"
	 ".0.0.0\",\"port\":40000},\"session\":\"6b0ff700.fa0\",\"query\":\"select id, total f"
	 "rom orders where customer_id = 1 and status = 'open' order by created_at desc limit "
	 "20\",\"pg\":{\"timestamp\":\"2026-12-02 10:00:00.000 UTC\",\"pid\":4000,\"line_num\""
	 ":1,\"ps\":\"idle\",\"session_start\":\"2026-12-02 10:00:00.001 UTC\",\"vxid\":\"3/1"
	 "\",\"txid\":0,\"error_severity\":\"LOG\",\"application_name\":\"psql\",\"backend_typ"
	 "e\":\"client backend\",\"query_id\":0}"},
	{"{ \"user\" : \"u\" , \"dbname\":\"d\",\011\"error_severity\" :\"LOG\", \"message\":"
	  "\"statement: select  1 \" , \"pid\" : 7 }",
	 103, 0,
	 ",\"action\":\"db.query\",\"actor\":\"u\",\"target\":\"d\",\"query\":\"select  1 \","
	 "\"pg\":{\"error_severity\":\"LOG\",\"pid\":7}"},
	{"  {\"user\":\"u\",\"error_severity\":\"LOG\",\"message\":\"statement: x\"}  ",
	 64, 0,
	 ",\"action\":\"db.query\",\"actor\":\"u\",\"query\":\"x\",\"pg\":{\"error_severity\":"
	 "\"LOG\"}"},
	{"{\"user\":\"u\",\"error_severity\":\"LOG\",\"message\":\"statement: x\"}\015",
	 61, 0,
	 ",\"action\":\"db.query\",\"actor\":\"u\",\"query\":\"x\",\"pg\":{\"error_severity\":"
	 "\"LOG\"}"},
	{"{\"user\":\"u\",\"error_severity\":\"LOG\",\"message\":\"statement: x\"} ",
	 61, 0,
	 ",\"action\":\"db.query\",\"actor\":\"u\",\"query\":\"x\",\"pg\":{\"error_severity\":"
	 "\"LOG\"}"},
	{"\011{\"error_severity\":\"LOG\",\"message\":\"x\"}",
	 39, 0,
	 ",\"action\":\"db.log\",\"msg\":\"x\",\"pg\":{\"error_severity\":\"LOG\"}"},
	{"{\012\"error_severity\":\"LOG\",\"message\":\"x\"}",
	 39, 0,
	 ",\"action\":\"db.log\",\"msg\":\"x\",\"pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"user\":\"a\\\"b\\\\c\",\"error_severity\":\"LOG\",\"message\":\"statement: select"
	  " '\\u00e9\\\"\\\\n\\n\\t\\u20ac\\ud83d\\ude00'\",\"x\":\"\\/\"}",
	 116, 0,
	 ",\"action\":\"db.query\",\"actor\":\"a\\\"b\\\\c\",\"query\":\"select '\\u00e9\\\"\\"
	 "\\n\\n\\t\\u20ac\\ud83d\\ude00'\",\"pg\":{\"error_severity\":\"LOG\",\"x\":\"\\/\"}"},
	{"{\"user\":\"j\303\274rgen\",\"dbname\":\"\346\227\245\346\234\254\",\"error_severity"
	  "\":\"LOG\",\"message\":\"statement: select '\346\227\245\346\234\254' -- \360\237"
	  "\230\200\"}",
	 106, 0,
	 ",\"action\":\"db.query\",\"actor\":\"j\303\274rgen\",\"target\":\"\346\227\245\346"
	 "\234\254\",\"query\":\"select '\346\227\245\346\234\254' -- \360\237\230\200\",\"pg"
	 "\":{\"error_severity\":\"LOG\"}"},
	{"{\"us\\u0065r\":\"escaped-name\",\"error_severity\":\"LOG\",\"message\":\"x\"}",
	 65, 0,
	 ",\"action\":\"db.log\",\"msg\":\"x\",\"pg\":{\"us\\u0065r\":\"escaped-name\",\"error"
	 "_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"error_severity\":\"L\\u004fG\",\"message\":\"statement: x\"}",
	 65, 0,
	 ",\"action\":\"db.log\",\"actor\":\"u\",\"msg\":\"statement: x\",\"pg\":{\"error_seve"
	 "rity\":\"L\\u004fG\"}"},
	{"{\"error_severity\":\"LOG\",\"message\":\"st\\u0061tement: x\"}",
	 54, 0,
	 ",\"action\":\"db.log\",\"msg\":\"st\\u0061tement: x\",\"pg\":{\"error_severity\":\"L"
	 "OG\"}"},
	{"{\"error_severity\":\"LOG\",\"message\":\"statement: \\u0000\"}",
	 54, -1,
	 "column 47: invalid JSON: \\u0000 is not allowed"},
	{"{\"error_severity\":\"LOG\",\"message\":\"statement: \\ud800\"}",
	 54, -1,
	 "column 47: invalid JSON: unpaired surrogate \\ud800"},
	{"{\"user\":\"u\"}",
	 12, -1,
	 "not a PostgreSQL jsonlog line: no error_severity or message"},
	{"{\"error_severity\":\"LOG\"}",
	 24, -1,
	 "not a PostgreSQL jsonlog line: no error_severity or message"},
	{"{\"message\":\"statement: x\"}",
	 26, -1,
	 "not a PostgreSQL jsonlog line: no error_severity or message"},
	{"{\"error_severity\":\"LOG\",\"message\":7}",
	 36, -1,
	 "not a PostgreSQL jsonlog line: no error_severity or message"},
	{"{\"error_severity\":null,\"message\":\"x\"}",
	 37, -1,
	 "not a PostgreSQL jsonlog line: no error_severity or message"},
	{"{\"error_severity\":\"LOG\",\"message\":[\"statement: x\"]}",
	 51, -1,
	 "not a PostgreSQL jsonlog line: no error_severity or message"},
	{"{}",
	 2, -1,
	 "not a PostgreSQL jsonlog line: no error_severity or message"},
	{"{\"error_severity\":\"\",\"message\":\"\"}",
	 34, 0,
	 ",\"action\":\"db.log\",\"msg\":\"\",\"pg\":{\"error_severity\":\"\"}"},
	{"{\"\":1,\"error_severity\":\"LOG\",\"message\":\"x\"}",
	 43, 0,
	 ",\"action\":\"db.log\",\"msg\":\"x\",\"pg\":{\"\":1,\"error_severity\":\"LOG\"}"},
	{"{\"extra\":{\"a\":[1,2,{\"b\":null,\"c\":true,\"d\":false}],\"e\":{}},\"error_severi"
	  "ty\":\"LOG\",\"message\":\"x\",\"more\":[[],[[]]],\"n\":-1.5e+3}",
	 124, 0,
	 ",\"action\":\"db.log\",\"msg\":\"x\",\"pg\":{\"extra\":{\"a\":[1,2,{\"b\":null,\"c\""
	 ":true,\"d\":false}],\"e\":{}},\"error_severity\":\"LOG\",\"more\":[[],[[]]],\"n\":-1"
	 ".5e+3}"},
	{"{\"user\":{\"nested\":\"obj\"},\"dbname\":[1,2],\"remote_host\":7,\"remote_port\":\""
	  "5432\",\"session_id\":null,\"error_severity\":\"LOG\",\"message\":\"x\"}",
	 132, 0,
	 ",\"action\":\"db.log\",\"actor\":{\"nested\":\"obj\"},\"target\":[1,2],\"src\":{\"ho"
	 "st\":7,\"port\":\"5432\"},\"session\":null,\"msg\":\"x\",\"pg\":{\"error_severity\":"
	 "\"LOG\"}"},
	{"{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":[[[[[[1]]]]]]}}}}}},\"error_severit"
	  "y\":\"LOG\",\"message\":\"x\"}",
	 92, 0,
	 ",\"action\":\"db.log\",\"msg\":\"x\",\"pg\":{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f"
	 "\":{\"g\":[[[[[[1]]]]]]}}}}}},\"error_severity\":\"LOG\"}"},
	{"{\"a\":1,\"user\":\"u\",\"b\":2,\"dbname\":\"d\",\"c\":3,\"remote_host\":\"h\",\"d\""
	  ":4,\"remote_port\":1,\"e\":5,\"session_id\":\"s\",\"f\":6,\"message\":\"m\",\"g\":7,"
	  "\"statement\":\"q\",\"h\":8,\"error_severity\":\"LOG\",\"ps\":\"idle\",\"i\":9}",
	 195, 0,
	 ",\"action\":\"db.log\",\"actor\":\"u\",\"target\":\"d\",\"src\":{\"host\":\"h\",\"po"
	 "rt\":1},\"session\":\"s\",\"query\":\"q\",\"msg\":\"m\",\"pg\":{\"a\":1,\"b\":2,\"c"
	 "\":3,\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,\"error_severity\":\"LOG\",\"ps\":\"idl"
	 "e\",\"i\":9}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"remote_host\":\"h\",\"remote_port\":1,\"session_i"
	  "d\":\"s\",\"message\":\"m\",\"statement\":\"q\",\"error_severity\":\"LOG\"}",
	 129, 0,
	 ",\"action\":\"db.log\",\"actor\":\"u\",\"target\":\"d\",\"src\":{\"host\":\"h\",\"po"
	 "rt\":1},\"session\":\"s\",\"query\":\"q\",\"msg\":\"m\",\"pg\":{\"error_severity\":"
	 "\"LOG\"}"},
	{"{\"error_severity\":\"LOG\",\"ps\":\"idle\",\"message\":\"m\"}",
	 50, 0,
	 ",\"action\":\"db.log\",\"msg\":\"m\",\"pg\":{\"error_severity\":\"LOG\",\"ps\":\"idl"
	 "e\"}"},
	{"{\"message\":\"m\",\"error_severity\":\"LOG\"}",
	 38, 0,
	 ",\"action\":\"db.log\",\"msg\":\"m\",\"pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"error_severity\":\"ERROR\",\"message\":\"password authentication f"
	  "ailed for user \\\"u\\\"\",\"ps\":\"authentication\"}",
	 117, 0,
	 ",\"action\":\"db.connect\",\"actor\":\"u\",\"result\":\"failure\",\"msg\":\"password"
	 " authentication failed for user \\\"u\\\"\",\"pg\":{\"error_severity\":\"ERROR\",\"p"
	 "s\":\"authentication\"}"},
	{"{\"user\":\"u\",\"error_severity\":\"ERROR\",\"message\":\"relation \\\"t\\\" does n"
	  "ot exist\",\"statement\":\"select * from t\",\"ps\":\"SELECT\"}",
	 123, 0,
	 ",\"action\":\"db.error\",\"actor\":\"u\",\"result\":\"failure\",\"query\":\"select *"
	 " from t\",\"msg\":\"relation \\\"t\\\" does not exist\",\"pg\":{\"error_severity\":"
	 "\"ERROR\",\"ps\":\"SELECT\"}"},
	{"{\"user\":\"u\",\"error_severity\":\"FATAL\",\"message\":\"password authentication f"
	  "ailed for user \\\"u\\\"\",\"ps\":\"authentication\"}",
	 117, 0,
	 ",\"action\":\"db.connect\",\"actor\":\"u\",\"result\":\"failure\",\"msg\":\"password"
	 " authentication failed for user \\\"u\\\"\",\"pg\":{\"error_severity\":\"FATAL\",\"p"
	 "s\":\"authentication\"}"},
	{"{\"user\":\"u\",\"error_severity\":\"FATAL\",\"message\":\"relation \\\"t\\\" does n"
	  "ot exist\",\"statement\":\"select * from t\",\"ps\":\"SELECT\"}",
	 123, 0,
	 ",\"action\":\"db.error\",\"actor\":\"u\",\"result\":\"failure\",\"query\":\"select *"
	 " from t\",\"msg\":\"relation \\\"t\\\" does not exist\",\"pg\":{\"error_severity\":"
	 "\"FATAL\",\"ps\":\"SELECT\"}"},
	{"{\"user\":\"u\",\"error_severity\":\"PANIC\",\"message\":\"password authentication f"
	  "ailed for user \\\"u\\\"\",\"ps\":\"authentication\"}",
	 117, 0,
	 ",\"action\":\"db.connect\",\"actor\":\"u\",\"result\":\"failure\",\"msg\":\"password"
	 " authentication failed for user \\\"u\\\"\",\"pg\":{\"error_severity\":\"PANIC\",\"p"
	 "s\":\"authentication\"}"},
	{"{\"user\":\"u\",\"error_severity\":\"PANIC\",\"message\":\"relation \\\"t\\\" does n"
	  "ot exist\",\"statement\":\"select * from t\",\"ps\":\"SELECT\"}",
	 123, 0,
	 ",\"action\":\"db.error\",\"actor\":\"u\",\"result\":\"failure\",\"query\":\"select *"
	 " from t\",\"msg\":\"relation \\\"t\\\" does not exist\",\"pg\":{\"error_severity\":"
	 "\"PANIC\",\"ps\":\"SELECT\"}"},
	{"{\"user\":\"u\",\"error_severity\":\"WARNING\",\"message\":\"password authentication"
	  " failed for user \\\"u\\\"\",\"ps\":\"authentication\"}",
	 119, 0,
	 ",\"action\":\"db.log\",\"actor\":\"u\",\"msg\":\"password authentication failed for "
	 "user \\\"u\\\"\",\"pg\":{\"error_severity\":\"WARNING\",\"ps\":\"authentication\"}"},
	{"{\"user\":\"u\",\"error_severity\":\"WARNING\",\"message\":\"relation \\\"t\\\" does"
	  " not exist\",\"statement\":\"select * from t\",\"ps\":\"SELECT\"}",
	 125, 0,
	 ",\"action\":\"db.log\",\"actor\":\"u\",\"query\":\"select * from t\",\"msg\":\"relat"
	 "ion \\\"t\\\" does not exist\",\"pg\":{\"error_severity\":\"WARNING\",\"ps\":\"SELEC"
	 "T\"}"},
	{"{\"user\":\"u\",\"error_severity\":\"NOTICE\",\"message\":\"password authentication "
	  "failed for user \\\"u\\\"\",\"ps\":\"authentication\"}",
	 118, 0,
	 ",\"action\":\"db.log\",\"actor\":\"u\",\"msg\":\"password authentication failed for "
	 "user \\\"u\\\"\",\"pg\":{\"error_severity\":\"NOTICE\",\"ps\":\"authentication\"}"},
	{"{\"user\":\"u\",\"error_severity\":\"NOTICE\",\"message\":\"relation \\\"t\\\" does "
	  "not exist\",\"statement\":\"select * from t\",\"ps\":\"SELECT\"}",
	 124, 0,
	 ",\"action\":\"db.log\",\"actor\":\"u\",\"query\":\"select * from t\",\"msg\":\"relat"
	 "ion \\\"t\\\" does not exist\",\"pg\":{\"error_severity\":\"NOTICE\",\"ps\":\"SELECT"
	 "\"}"},
	{"{\"user\":\"u\",\"error_severity\":\"DEBUG1\",\"message\":\"password authentication "
	  "failed for user \\\"u\\\"\",\"ps\":\"authentication\"}",
	 118, 0,
	 ",\"action\":\"db.log\",\"actor\":\"u\",\"msg\":\"password authentication failed for "
	 "user \\\"u\\\"\",\"pg\":{\"error_severity\":\"DEBUG1\",\"ps\":\"authentication\"}"},
	{"{\"user\":\"u\",\"error_severity\":\"DEBUG1\",\"message\":\"relation \\\"t\\\" does "
	  "not exist\",\"statement\":\"select * from t\",\"ps\":\"SELECT\"}",
	 124, 0,
	 ",\"action\":\"db.log\",\"actor\":\"u\",\"query\":\"select * from t\",\"msg\":\"relat"
	 "ion \\\"t\\\" does not exist\",\"pg\":{\"error_severity\":\"DEBUG1\",\"ps\":\"SELECT"
	 "\"}"},
	{"{\"user\":\"u\",\"error_severity\":\"LOG\",\"message\":\"password authentication fai"
	  "led for user \\\"u\\\"\",\"ps\":\"authentication\"}",
	 115, 0,
	 ",\"action\":\"db.log\",\"actor\":\"u\",\"msg\":\"password authentication failed for "
	 "user \\\"u\\\"\",\"pg\":{\"error_severity\":\"LOG\",\"ps\":\"authentication\"}"},
	{"{\"user\":\"u\",\"error_severity\":\"LOG\",\"message\":\"relation \\\"t\\\" does not"
	  " exist\",\"statement\":\"select * from t\",\"ps\":\"SELECT\"}",
	 121, 0,
	 ",\"action\":\"db.log\",\"actor\":\"u\",\"query\":\"select * from t\",\"msg\":\"relat"
	 "ion \\\"t\\\" does not exist\",\"pg\":{\"error_severity\":\"LOG\",\"ps\":\"SELECT\"}"},
	{"{\"error_severity\":\"FATAL\",\"message\":\"x\",\"ps\":\"startup\"}",
	 55, 0,
	 ",\"action\":\"db.connect\",\"result\":\"failure\",\"msg\":\"x\",\"pg\":{\"error_seve"
	 "rity\":\"FATAL\",\"ps\":\"startup\"}"},
	{"{\"error_severity\":\"FATAL\",\"message\":\"x\",\"ps\":\"Startup\"}",
	 55, 0,
	 ",\"action\":\"db.error\",\"result\":\"failure\",\"msg\":\"x\",\"pg\":{\"error_severi"
	 "ty\":\"FATAL\",\"ps\":\"Startup\"}"},
	{"{\"error_severity\":\"ERROR\",\"message\":\"x\",\"ps\":7}",
	 47, 0,
	 ",\"action\":\"db.error\",\"result\":\"failure\",\"msg\":\"x\",\"pg\":{\"error_severi"
	 "ty\":\"ERROR\",\"ps\":7}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"duration: "
	  "0.123 ms\"}",
	 79, 0,
	 ",\"action\":\"db.query\",\"actor\":\"u\",\"target\":\"d\",\"duration_ms\":0.123,\"ms"
	 "g\":\"duration: 0.123 ms\",\"pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"duration: "
	  "0.123 ms  statement: select 1\"}",
	 100, 0,
	 ",\"action\":\"db.query\",\"actor\":\"u\",\"target\":\"d\",\"query\":\"select 1\",\"d"
	 "uration_ms\":0.123,\"pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"duration: "
	  "12 ms  execute S_1: select $1\"}",
	 100, 0,
	 ",\"action\":\"db.query\",\"actor\":\"u\",\"target\":\"d\",\"query\":\"select $1\",\""
	 "duration_ms\":12,\"pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"duration: "
	  ".5 ms\"}",
	 76, 0,
	 ",\"action\":\"db.log\",\"actor\":\"u\",\"target\":\"d\",\"msg\":\"duration: .5 ms\","
	 "\"pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"duration: "
	  "5. ms\"}",
	 76, 0,
	 ",\"action\":\"db.log\",\"actor\":\"u\",\"target\":\"d\",\"msg\":\"duration: 5. ms\","
	 "\"pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"duration: "
	  "5ms\"}",
	 74, 0,
	 ",\"action\":\"db.log\",\"actor\":\"u\",\"target\":\"d\",\"msg\":\"duration: 5ms\",\""
	 "pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"duration: "
	  "5 ms\"}",
	 75, 0,
	 ",\"action\":\"db.query\",\"actor\":\"u\",\"target\":\"d\",\"duration_ms\":5,\"msg\":"
	 "\"duration: 5 ms\",\"pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"duration: "
	  " 5 ms\"}",
	 76, 0,
	 ",\"action\":\"db.log\",\"actor\":\"u\",\"target\":\"d\",\"msg\":\"duration:  5 ms\","
	 "\"pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"duration: "
	  "1.2.3 ms  statement: x\"}",
	 93, 0,
	 ",\"action\":\"db.query\",\"actor\":\"u\",\"target\":\"d\",\"query\":\"x\",\"duration"
	 "_ms\":1.2.3,\"pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"duration: "
	  "5 ms   \"}",
	 78, 0,
	 ",\"action\":\"db.query\",\"actor\":\"u\",\"target\":\"d\",\"duration_ms\":5,\"msg\":"
	 "\"duration: 5 ms   \",\"pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"duration: "
	  "5 msx\"}",
	 76, 0,
	 ",\"action\":\"db.query\",\"actor\":\"u\",\"target\":\"d\",\"duration_ms\":5,\"msg\":"
	 "\"duration: 5 msx\",\"pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"duration: "
	  "\"}",
	 71, 0,
	 ",\"action\":\"db.log\",\"actor\":\"u\",\"target\":\"d\",\"msg\":\"duration: \",\"pg"
	 "\":{\"error_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"duration: "
	  "7 ms  bind S_1: select 1\"}",
	 95, 0,
	 ",\"action\":\"db.query\",\"actor\":\"u\",\"target\":\"d\",\"duration_ms\":7,\"msg\":"
	 "\"duration: 7 ms  bind S_1: select 1\",\"pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"execute <u"
	  "nnamed>: select 1\"}",
	 88, 0,
	 ",\"action\":\"db.query\",\"actor\":\"u\",\"target\":\"d\",\"query\":\"select 1\",\"p"
	 "g\":{\"error_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"execute S_"
	  "1: select $1\"}",
	 83, 0,
	 ",\"action\":\"db.query\",\"actor\":\"u\",\"target\":\"d\",\"query\":\"select $1\",\""
	 "pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"execute S_"
	  "1:select\"}",
	 79, 0,
	 ",\"action\":\"db.log\",\"actor\":\"u\",\"target\":\"d\",\"msg\":\"execute S_1:select"
	 "\",\"pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"execute S_"
	  "1\"}",
	 72, 0,
	 ",\"action\":\"db.log\",\"actor\":\"u\",\"target\":\"d\",\"msg\":\"execute S_1\",\"pg"
	 "\":{\"error_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"execute :"
	  "\"}",
	 70, 0,
	 ",\"action\":\"db.log\",\"actor\":\"u\",\"target\":\"d\",\"msg\":\"execute :\",\"pg\""
	 ":{\"error_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"execute x:"
	  " \"}",
	 72, 0,
	 ",\"action\":\"db.query\",\"actor\":\"u\",\"target\":\"d\",\"query\":\"\",\"pg\":{\"e"
	 "rror_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"statement:"
	  " \"}",
	 72, 0,
	 ",\"action\":\"db.query\",\"actor\":\"u\",\"target\":\"d\",\"query\":\"\",\"pg\":{\"e"
	 "rror_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"statement:"
	  "x\"}",
	 72, 0,
	 ",\"action\":\"db.log\",\"actor\":\"u\",\"target\":\"d\",\"msg\":\"statement:x\",\"pg"
	 "\":{\"error_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"Statement:"
	  " x\"}",
	 73, 0,
	 ",\"action\":\"db.log\",\"actor\":\"u\",\"target\":\"d\",\"msg\":\"Statement: x\",\"p"
	 "g\":{\"error_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"connection"
	  " received: host=10.0.0.1 port=5432\"}",
	 105, 0,
	 ",\"action\":\"db.connect.received\",\"actor\":\"u\",\"target\":\"d\",\"msg\":\"conne"
	 "ction received: host=10.0.0.1 port=5432\",\"pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"connection"
	  " authorized: user=u database=d\"}",
	 101, 0,
	 ",\"action\":\"db.connect\",\"actor\":\"u\",\"target\":\"d\",\"result\":\"success\","
	 "\"msg\":\"connection authorized: user=u database=d\",\"pg\":{\"error_severity\":\"LO"
	 "G\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"disconnect"
	  "ion: session time: 0:00:01.000 user=u database=d host=[local]\"}",
	 132, 0,
	 ",\"action\":\"db.disconnect\",\"actor\":\"u\",\"target\":\"d\",\"msg\":\"disconnecti"
	 "on: session time: 0:00:01.000 user=u database=d host=[local]\",\"pg\":{\"error_sever"
	 "ity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"checkpoint"
	  " starting: time\"}",
	 86, 0,
	 ",\"action\":\"db.log\",\"actor\":\"u\",\"target\":\"d\",\"msg\":\"checkpoint startin"
	 "g: time\",\"pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"connection"
	  " received:\"}",
	 81, 0,
	 ",\"action\":\"db.log\",\"actor\":\"u\",\"target\":\"d\",\"msg\":\"connection receive"
	 "d:\",\"pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":\"\"}",
	 61, 0,
	 ",\"action\":\"db.log\",\"actor\":\"u\",\"target\":\"d\",\"msg\":\"\",\"pg\":{\"error"
	 "_severity\":\"LOG\"}"},
	{"{\"remote_host\":\"10.0.0.1\",\"remote_port\":5432,\"error_severity\":\"LOG\",\"mess"
	  "age\":\"x\"}",
	 82, 0,
	 ",\"action\":\"db.log\",\"src\":{\"ip\":\"10.0.0.1\",\"port\":5432},\"msg\":\"x\",\"p"
	 "g\":{\"error_severity\":\"LOG\"}"},
	{"{\"remote_host\":\"::1\",\"remote_port\":5432,\"error_severity\":\"LOG\",\"message\""
	  ":\"x\"}",
	 77, 0,
	 ",\"action\":\"db.log\",\"src\":{\"ip\":\"::1\",\"port\":5432},\"msg\":\"x\",\"pg\":{"
	 "\"error_severity\":\"LOG\"}"},
	{"{\"remote_host\":\"fe80::1\",\"remote_port\":5432,\"error_severity\":\"LOG\",\"messa"
	  "ge\":\"x\"}",
	 81, 0,
	 ",\"action\":\"db.log\",\"src\":{\"host\":\"fe80::1\",\"port\":5432},\"msg\":\"x\",\""
	 "pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"remote_host\":\"FE80::A\",\"remote_port\":5432,\"error_severity\":\"LOG\",\"messa"
	  "ge\":\"x\"}",
	 81, 0,
	 ",\"action\":\"db.log\",\"src\":{\"host\":\"FE80::A\",\"port\":5432},\"msg\":\"x\",\""
	 "pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"remote_host\":\"fe80::1%eth0\",\"remote_port\":5432,\"error_severity\":\"LOG\",\""
	  "message\":\"x\"}",
	 86, 0,
	 ",\"action\":\"db.log\",\"src\":{\"host\":\"fe80::1%eth0\",\"port\":5432},\"msg\":\"x"
	 "\",\"pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"remote_host\":\"[local]\",\"remote_port\":5432,\"error_severity\":\"LOG\",\"messa"
	  "ge\":\"x\"}",
	 81, 0,
	 ",\"action\":\"db.log\",\"src\":{\"host\":\"[local]\",\"port\":5432},\"msg\":\"x\",\""
	 "pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"remote_host\":\"db.example.com\",\"remote_port\":5432,\"error_severity\":\"LOG\","
	  "\"message\":\"x\"}",
	 88, 0,
	 ",\"action\":\"db.log\",\"src\":{\"host\":\"db.example.com\",\"port\":5432},\"msg\":"
	 "\"x\",\"pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"remote_host\":\"1.2.3\",\"remote_port\":5432,\"error_severity\":\"LOG\",\"message"
	  "\":\"x\"}",
	 79, 0,
	 ",\"action\":\"db.log\",\"src\":{\"host\":\"1.2.3\",\"port\":5432},\"msg\":\"x\",\"pg"
	 "\":{\"error_severity\":\"LOG\"}"},
	{"{\"remote_host\":\"1.2.3.4.5\",\"remote_port\":5432,\"error_severity\":\"LOG\",\"mes"
	  "sage\":\"x\"}",
	 83, 0,
	 ",\"action\":\"db.log\",\"src\":{\"host\":\"1.2.3.4.5\",\"port\":5432},\"msg\":\"x\","
	 "\"pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"remote_host\":\"1234\",\"remote_port\":5432,\"error_severity\":\"LOG\",\"message"
	  "\":\"x\"}",
	 78, 0,
	 ",\"action\":\"db.log\",\"src\":{\"host\":\"1234\",\"port\":5432},\"msg\":\"x\",\"pg"
	 "\":{\"error_severity\":\"LOG\"}"},
	{"{\"remote_host\":\"\",\"remote_port\":5432,\"error_severity\":\"LOG\",\"message\":\""
	  "x\"}",
	 74, 0,
	 ",\"action\":\"db.log\",\"src\":{\"host\":\"\",\"port\":5432},\"msg\":\"x\",\"pg\":{"
	 "\"error_severity\":\"LOG\"}"},
	{"{\"remote_host\":\"::\",\"remote_port\":5432,\"error_severity\":\"LOG\",\"message\":"
	  "\"x\"}",
	 76, 0,
	 ",\"action\":\"db.log\",\"src\":{\"ip\":\"::\",\"port\":5432},\"msg\":\"x\",\"pg\":{"
	 "\"error_severity\":\"LOG\"}"},
	{"{\"remote_host\":\"g::1\",\"remote_port\":5432,\"error_severity\":\"LOG\",\"message"
	  "\":\"x\"}",
	 78, 0,
	 ",\"action\":\"db.log\",\"src\":{\"host\":\"g::1\",\"port\":5432},\"msg\":\"x\",\"pg"
	 "\":{\"error_severity\":\"LOG\"}"},
	{"{\"remote_host\":\"1.2.3.4:5\",\"remote_port\":5432,\"error_severity\":\"LOG\",\"mes"
	  "sage\":\"x\"}",
	 83, 0,
	 ",\"action\":\"db.log\",\"src\":{\"ip\":\"1.2.3.4:5\",\"port\":5432},\"msg\":\"x\",\""
	 "pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"remote_host\":\"0123456789012345678901234567890123456789012345\",\"remote_port\":"
	  "5432,\"error_severity\":\"LOG\",\"message\":\"x\"}",
	 120, 0,
	 ",\"action\":\"db.log\",\"src\":{\"host\":\"01234567890123456789012345678901234567890"
	 "12345\",\"port\":5432},\"msg\":\"x\",\"pg\":{\"error_severity\":\"LOG\"}"},
	{"{\"remote_host\":\"a:b\",\"remote_port\":5432,\"error_severity\":\"LOG\",\"message\""
	  ":\"x\"}",
	 77, 0,
	 ",\"action\":\"db.log\",\"src\":{\"host\":\"a:b\",\"port\":5432},\"msg\":\"x\",\"pg\""
	 ":{\"error_severity\":\"LOG\"}"},
	{"{\"remote_port\":5432,\"error_severity\":\"LOG\",\"message\":\"x\"}",
	 57, 0,
	 ",\"action\":\"db.log\",\"src\":{\"port\":5432},\"msg\":\"x\",\"pg\":{\"error_severit"
	 "y\":\"LOG\"}"},
	{"{\"remote_host\":\"h\",\"error_severity\":\"LOG\",\"message\":\"x\"}",
	 56, 0,
	 ",\"action\":\"db.log\",\"src\":{\"host\":\"h\"},\"msg\":\"x\",\"pg\":{\"error_severi"
	 "ty\":\"LOG\"}"},
	{"{\"pid\":-0,\"line_num\":1e308,\"x\":0.0,\"y\":-12.5E-3,\"error_severity\":\"LOG\","
	  "\"message\":\"x\"}",
	 85, 0,
	 ",\"action\":\"db.log\",\"msg\":\"x\",\"pg\":{\"pid\":-0,\"line_num\":1e308,\"x\":0.0"
	 ",\"y\":-12.5E-3,\"error_severity\":\"LOG\"}"},
	{"{\"pid\":99999999999999999999,\"error_severity\":\"LOG\",\"message\":\"x\"}",
	 65, -1,
	 "column 8: invalid JSON: integer out of range"},
	{"{\"pid\":1e400,\"error_severity\":\"LOG\",\"message\":\"x\"}",
	 50, -1,
	 "column 8: invalid JSON: number overflows a double"},
	{"{\"pid\":01,\"error_severity\":\"LOG\",\"message\":\"x\"}",
	 47, -1,
	 "column 8: invalid JSON: leading zeros are not allowed"},
	{"[1,2]",
	 5, -1,
	 "column 1: invalid JSON: expected a JSON object"},
	{"\"str\"",
	 5, -1,
	 "column 1: invalid JSON: expected a JSON object"},
	{"42",
	 2, -1,
	 "column 1: invalid JSON: expected a JSON object"},
	{"null",
	 4, -1,
	 "column 1: invalid JSON: expected a JSON object"},
	{"true",
	 4, -1,
	 "column 1: invalid JSON: expected a JSON object"},
	{"{",
	 1, -1,
	 "column 2: invalid JSON: unexpected end of input"},
	{"}",
	 1, -1,
	 "column 1: invalid JSON: expected a JSON object"},
	{"{\"a\":1}x",
	 8, -1,
	 "column 8: invalid JSON: trailing characters after the JSON value"},
	{"{\"a\":1,}",
	 8, -1,
	 "column 7: invalid JSON: trailing comma before '}'"},
	{"{\"a\":1 \"b\":2}",
	 13, -1,
	 "column 8: invalid JSON: expected ',' or '}' after member value"},
	{"{\"a\"}",
	 5, -1,
	 "column 5: invalid JSON: expected ':' after member name"},
	{"{a:1}",
	 5, -1,
	 "column 2: invalid JSON: expected a member name in double quotes, found 'a'"},
	{"{\"a\":1}{\"b\":2}",
	 14, -1,
	 "column 8: invalid JSON: trailing characters after the JSON value"},
	{"{\"user\":\"u\",\"user\":\"v\",\"error_severity\":\"LOG\",\"message\":\"x\"}",
	 60, -1,
	 "column 13: invalid JSON: duplicate member name \"user\""},
	{"{\"user\":\"u\",\"us\\u0065r\":\"v\",\"error_severity\":\"LOG\",\"message\":\"x\"}",
	 65, -1,
	 "column 13: invalid JSON: duplicate member name \"us\\u0065r\""},
	{"{\"a\":\"\\x\"}",
	 10, -1,
	 "column 7: invalid JSON: invalid escape \\x"},
	{"{\"a\":\"\011\"}",
	 9, -1,
	 "column 7: invalid JSON: control character 0x09 in string (escape it)"},
	{"{\"a\":tru}",
	 9, -1,
	 "column 6: invalid JSON: invalid literal, expected 'true'"},
	{"{\"a\":-}",
	 7, -1,
	 "column 7: invalid JSON: expected a digit after '-'"},
	{"{\"a\":1.}",
	 8, -1,
	 "column 8: invalid JSON: expected a digit after '.'"},
	{"{\"a\":\"unterminated}",
	 19, -1,
	 "column 6: invalid JSON: unterminated string"},
	{"{'a':1}",
	 7, -1,
	 "column 2: invalid JSON: expected a member name in double quotes, found a single quot"
	 "e (use double quotes)"},
	{"x",
	 1, -1,
	 "column 1: invalid JSON: expected a JSON object"},
	{"{\"a\":[1,2}",
	 10, -1,
	 "column 10: invalid JSON: expected ',' or ']' after array element"},
	{"{\"a\":{\"b\":1]}",
	 13, -1,
	 "column 12: invalid JSON: expected ',' or '}' after member value"},
	{"{\"error_severity\":\"LOG\",\"message\":\"statement: \377\"}",
	 49, -1,
	 "column 47: invalid JSON: invalid UTF-8 byte 0xff"},
	{"{\"error_severity\":\"LOG\",\"message\":\"statement: \300\257\"}",
	 50, -1,
	 "column 47: invalid JSON: overlong UTF-8 sequence"},
	{"{\"error_severity\":\"LOG\",\"message\":\"statement: \355\240\200\"}",
	 51, -1,
	 "column 47: invalid JSON: UTF-8 encoded surrogate (U+D800..U+DFFF)"},
	{"{\"error_severity\":\"LOG\",\"message\":\"x\000y\"}",
	 40, -1,
	 "column 37: NUL byte in input"},
	{"{\"error_severity\":\"LOG\",\000\"message\":\"x\"}",
	 39, -1,
	 "column 25: NUL byte in input"},
	{"\000",
	 1, -1,
	 "column 1: NUL byte in input"},
	{"   ",
	 3, 1,
	 ""},
	{"",
	 0, 1,
	 ""},
	{"\015",
	 1, 1,
	 ""},
	{"{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]"
	  "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],\"error_severity\":"
	  "\"LOG\",\"message\":\"x\"}",
	 183, -1,
	 "column 69: invalid JSON: nesting deeper than 64 levels"},
	{"{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]"
	  "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],\"error_severity\":\"LOG\",\"messa"
	  "ge\":\"x\"}",
	 169, 0,
	 ",\"action\":\"db.log\",\"msg\":\"x\",\"pg\":{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	 "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
	 "]]]]]]]]],\"error_severity\":\"LOG\"}"},
	{"{\"m0\":0,\"m1\":1,\"m2\":2,\"m3\":3,\"m4\":4,\"m5\":5,\"m6\":6,\"m7\":7,\"m8\":8,\""
	  "m9\":9,\"m10\":10,\"m11\":11,\"m12\":12,\"m13\":13,\"m14\":14,\"m15\":15,\"m16\":16,"
	  "\"m17\":17,\"m18\":18,\"m19\":19,\"m20\":20,\"m21\":21,\"m22\":22,\"m23\":23,\"m24\""
	  ":24,\"m25\":25,\"m26\":26,\"m27\":27,\"m28\":28,\"m29\":29,\"m30\":30,\"m31\":31,\"m"
	  "32\":32,\"m33\":33,\"m34\":34,\"m35\":35,\"m36\":36,\"m37\":37,\"m38\":38,\"m39\":39"
	  ",\"m40\":40,\"m41\":41,\"m42\":42,\"m43\":43,\"m44\":44,\"m45\":45,\"m46\":46,\"m47"
	  "\":47,\"m48\":48,\"m49\":49,\"m50\":50,\"m51\":51,\"m52\":52,\"m53\":53,\"m54\":54,"
	  "\"m55\":55,\"m56\":56,\"m57\":57,\"m58\":58,\"m59\":59,\"m60\":60,\"m61\":61,\"m62\""
	  ":62,\"m63\":63,\"m64\":64,\"m65\":65,\"m66\":66,\"m67\":67,\"m68\":68,\"m69\":69,\"m"
	  "70\":70,\"m71\":71,\"m72\":72,\"m73\":73,\"m74\":74,\"m75\":75,\"m76\":76,\"m77\":77"
	  ",\"m78\":78,\"m79\":79,\"m80\":80,\"m81\":81,\"m82\":82,\"m83\":83,\"m84\":84,\"m85"
	  "\":85,\"m86\":86,\"m87\":87,\"m88\":88,\"m89\":89,\"m90\":90,\"m91\":91,\"m92\":92,"
	  "\"m93\":93,\"m94\":94,\"m95\":95,\"m96\":96,\"m97\":97,\"m98\":98,\"m99\":99,\"m100"
	  "\":100,\"m101\":101,\"m102\":102,\"m103\":103,\"m104\":104,\"m105\":105,\"m106\":106"
	  ",\"m107\":107,\"m108\":108,\"m109\":109,\"m110\":110,\"m111\":111,\"m112\":112,\"m11"
	  "3\":113,\"m114\":114,\"m115\":115,\"m116\":116,\"m117\":117,\"m118\":118,\"m119\":11"
	  "9,\"m120\":120,\"m121\":121,\"m122\":122,\"m123\":123,\"m124\":124,\"m125\":125,\"m1"
	  "26\":126,\"m127\":127,\"m128\":128,\"m129\":129,\"m130\":130,\"m131\":131,\"m132\":1"
	  "32,\"m133\":133,\"m134\":134,\"m135\":135,\"m136\":136,\"m137\":137,\"m138\":138,\"m"
	  "139\":139,\"m140\":140,\"m141\":141,\"m142\":142,\"m143\":143,\"m144\":144,\"m145\":"
	  "145,\"m146\":146,\"m147\":147,\"m148\":148,\"m149\":149,\"m150\":150,\"m151\":151,\""
	  "m152\":152,\"m153\":153,\"m154\":154,\"m155\":155,\"m156\":156,\"m157\":157,\"m158\""
	  ":158,\"m159\":159,\"m160\":160,\"m161\":161,\"m162\":162,\"m163\":163,\"m164\":164,"
	  "\"m165\":165,\"m166\":166,\"m167\":167,\"m168\":168,\"m169\":169,\"m170\":170,\"m171"
	  "\":171,\"m172\":172,\"m173\":173,\"m174\":174,\"m175\":175,\"m176\":176,\"m177\":177"
	  ",\"m178\":178,\"m179\":179,\"m180\":180,\"m181\":181,\"m182\":182,\"m183\":183,\"m18"
	  "4\":184,\"m185\":185,\"m186\":186,\"m187\":187,\"m188\":188,\"m189\":189,\"m190\":19"
	  "0,\"m191\":191,\"m192\":192,\"m193\":193,\"m194\":194,\"m195\":195,\"m196\":196,\"m1"
	  "97\":197,\"m198\":198,\"m199\":199,\"error_severity\":\"LOG\",\"message\":\"x\"}",
	 2018, 0,
	 ",\"action\":\"db.log\",\"msg\":\"x\",\"pg\":{\"m0\":0,\"m1\":1,\"m2\":2,\"m3\":3,\"m"
	 "4\":4,\"m5\":5,\"m6\":6,\"m7\":7,\"m8\":8,\"m9\":9,\"m10\":10,\"m11\":11,\"m12\":12,"
	 "\"m13\":13,\"m14\":14,\"m15\":15,\"m16\":16,\"m17\":17,\"m18\":18,\"m19\":19,\"m20\""
	 ":20,\"m21\":21,\"m22\":22,\"m23\":23,\"m24\":24,\"m25\":25,\"m26\":26,\"m27\":27,\"m"
	 "28\":28,\"m29\":29,\"m30\":30,\"m31\":31,\"m32\":32,\"m33\":33,\"m34\":34,\"m35\":35"
	 ",\"m36\":36,\"m37\":37,\"m38\":38,\"m39\":39,\"m40\":40,\"m41\":41,\"m42\":42,\"m43"
	 "\":43,\"m44\":44,\"m45\":45,\"m46\":46,\"m47\":47,\"m48\":48,\"m49\":49,\"m50\":50,"
	 "\"m51\":51,\"m52\":52,\"m53\":53,\"m54\":54,\"m55\":55,\"m56\":56,\"m57\":57,\"m58\""
	 ":58,\"m59\":59,\"m60\":60,\"m61\":61,\"m62\":62,\"m63\":63,\"m64\":64,\"m65\":65,\"m"
	 "66\":66,\"m67\":67,\"m68\":68,\"m69\":69,\"m70\":70,\"m71\":71,\"m72\":72,\"m73\":73"
	 ",\"m74\":74,\"m75\":75,\"m76\":76,\"m77\":77,\"m78\":78,\"m79\":79,\"m80\":80,\"m81"
	 "\":81,\"m82\":82,\"m83\":83,\"m84\":84,\"m85\":85,\"m86\":86,\"m87\":87,\"m88\":88,"
	 "\"m89\":89,\"m90\":90,\"m91\":91,\"m92\":92,\"m93\":93,\"m94\":94,\"m95\":95,\"m96\""
	 ":96,\"m97\":97,\"m98\":98,\"m99\":99,\"m100\":100,\"m101\":101,\"m102\":102,\"m103\""
	 ":103,\"m104\":104,\"m105\":105,\"m106\":106,\"m107\":107,\"m108\":108,\"m109\":109,"
	 "\"m110\":110,\"m111\":111,\"m112\":112,\"m113\":113,\"m114\":114,\"m115\":115,\"m116"
	 "\":116,\"m117\":117,\"m118\":118,\"m119\":119,\"m120\":120,\"m121\":121,\"m122\":122"
	 ",\"m123\":123,\"m124\":124,\"m125\":125,\"m126\":126,\"m127\":127,\"m128\":128,\"m12"
	 "9\":129,\"m130\":130,\"m131\":131,\"m132\":132,\"m133\":133,\"m134\":134,\"m135\":13"
	 "5,\"m136\":136,\"m137\":137,\"m138\":138,\"m139\":139,\"m140\":140,\"m141\":141,\"m1"
	 "42\":142,\"m143\":143,\"m144\":144,\"m145\":145,\"m146\":146,\"m147\":147,\"m148\":1"
	 "48,\"m149\":149,\"m150\":150,\"m151\":151,\"m152\":152,\"m153\":153,\"m154\":154,\"m"
	 "155\":155,\"m156\":156,\"m157\":157,\"m158\":158,\"m159\":159,\"m160\":160,\"m161\":"
	 "161,\"m162\":162,\"m163\":163,\"m164\":164,\"m165\":165,\"m166\":166,\"m167\":167,\""
	 "m168\":168,\"m169\":169,\"m170\":170,\"m171\":171,\"m172\":172,\"m173\":173,\"m174\""
	 ":174,\"m175\":175,\"m176\":176,\"m177\":177,\"m178\":178,\"m179\":179,\"m180\":180,"
	 "\"m181\":181,\"m182\":182,\"m183\":183,\"m184\":184,\"m185\":185,\"m186\":186,\"m187"
	 "\":187,\"m188\":188,\"m189\":189,\"m190\":190,\"m191\":191,\"m192\":192,\"m193\":193"
	 ",\"m194\":194,\"m195\":195,\"m196\":196,\"m197\":197,\"m198\":198,\"m199\":199,\"err"
	 "or_severity\":\"LOG\"}"},
};

static struct alog_mapper *mapper;

/* One line mapped: rc, and the members or the message, in out (cap bytes). */
static int map(int portable, const char *in, size_t n, char *out, size_t cap, size_t *outlen)
{
	struct alog_error e;
	const char *p;
	size_t k;
	int rc;

	alog_mapper_set_portable(portable);
	alog_error_clear(&e);
	rc = alog_mapper_map(mapper, in, n, &p, &k, &e);
	alog_mapper_set_portable(0);
	if (rc != ALOG_MAP_OK) {
		p = rc < 0 ? e.msg : "";
		k = strlen(p);
	}
	if (k > cap)
		abort();
	memcpy(out, p, k);
	*outlen = k;
	return rc;
}

static char got[2][ALOG_MAX_MEMBERS + 4096];

static void test_cases(void)
{
	size_t k[2];

	for (size_t i = 0; i < sizeof pg_cases / sizeof pg_cases[0]; i++) {
		const struct pg_case *c = &pg_cases[i];
		for (int portable = 0; portable < 2; portable++) {
			int rc = map(portable, c->in, c->n, got[portable], sizeof got[0], &k[portable]);
			CHECK(rc == c->rc);
			CHECK(k[portable] == strlen(c->want));
			if (rc != c->rc || k[portable] != strlen(c->want) ||
			    memcmp(got[portable], c->want, k[portable]) != 0) {
				t_failed++;
				fprintf(stderr, "case %zu (%s path): got %d \"%.*s\"\n", i,
				        portable ? "portable" : "one-pass", rc, (int)k[portable],
				        got[portable]);
			}
		}
	}
}

/* ---- long lines: built here, their members checked by digest ---- */

static char *line;
static size_t len;

static void add(const char *s)
{
	size_t n = strlen(s);
	memcpy(line + len, s, n);
	len += n;
}

static void fill(char c, size_t n)
{
	memset(line + len, c, n);
	len += n;
}

static void many(int members, const char *sep)
{
	char m[64];
	add("{");
	for (int i = 0; i < members; i++) {
		snprintf(m, sizeof m, "%s\"m%d\":%d", i ? sep : "", i, i);
		add(m);
	}
}

static void check_long(int line_no, int want_rc, size_t want_len, const char *want_sha)
{
	uint8_t d[ALOG_HASH_LEN];
	char hex[2 * ALOG_HASH_LEN + 1];
	size_t k[2];

	for (int portable = 0; portable < 2; portable++) {
		int rc = map(portable, line, len, got[portable], sizeof got[0], &k[portable]);
		alog_sha256(d, got[portable], k[portable]);
		alog_hex(hex, d, sizeof d);
		if (rc != want_rc || k[portable] != want_len || strcmp(hex, want_sha) != 0) {
			t_failed++;
			fprintf(stderr, "%s:%d: long line (%s path): got %d, %zu bytes, %s\n",
			        __FILE__, line_no, portable ? "portable" : "one-pass", rc,
			        k[portable], hex);
		}
		t_checks++;
	}
	len = 0;
}

#define MAXM (1024 * 1024 - 256)

static void test_long(void)
{
	line = malloc(2 * MAXM);
	if (!line)
		abort();
	many(2000, ",");
	add(",\"user\":\"u\",\"error_severity\":\"LOG\",\"message\":\"statement: x\"}");
	check_long(__LINE__, 0, 23854,
	           "f2db53fb8daab454af4f2cb06a603ba6a2c626cff7b147d2fe210703278a4616");
	many(2000, ", ");
	add(",\"user\":\"u\",\"error_severity\":\"LOG\",\"message\":\"statement: x\"}");
	check_long(__LINE__, 0, 23854,
	           "f2db53fb8daab454af4f2cb06a603ba6a2c626cff7b147d2fe210703278a4616");
	add("{\"user\":\"u\",\"error_severity\":\"LOG\",\"message\":\"statement: ");
	fill('x', 100000);
	add("\"}");
	check_long(__LINE__, 0, 100073,
	           "230245e8b244330127debc08908353261c1d72f427135c141e2863bc21218d4f");
	add("{\"user\":\"u\",\"error_severity\":\"LOG\",\"message\":\"duration: 1 ms  ");
	fill('y', 100000);
	add("\",\"big\":\"");
	fill('z', 50000);
	add("\"}");
	check_long(__LINE__, 0, 150112,
	           "7cf63043324ccc7de6483901d8ef3a58f8320b1db62f144180a4749f4813b3ce");
	/* longer than a record's members: refused before it is read */
	add("{\"error_severity\":\"LOG\",\"message\":\"");
	fill('q', MAXM - 36);
	add("\"}");
	check_long(__LINE__, -1, 30,
	           "e54784db6ddd44ddc05bac47ad775edc78e48221986453ade3eb7d027010bbde");
	add("{\"error_severity\":\"LOG\",\"message\":\"");
	fill('q', MAXM - 35);
	add("\"}");
	check_long(__LINE__, -1, 30,
	           "e54784db6ddd44ddc05bac47ad775edc78e48221986453ade3eb7d027010bbde");
	add("{\"error_severity\":\"LOG\",\"message\":\"");
	fill('q', MAXM - 100);
	add("\"}");
	check_long(__LINE__, 0, 1048277,
	           "b0119e485d9cf0d15bfe03476fe8483ff34e3bfada20b94d9862996916700ecb");
	/* the duration is in the event twice */
	add("{\"error_severity\":\"LOG\",\"message\":\"duration: 1 ms  ");
	fill('q', MAXM - 100);
	add("\"}");
	check_long(__LINE__, 0, 1048311,
	           "38997db2a1ddb7f21fbbcf53c984adf4cfd6ab8c92c4282c32b1b1f4c5c64a8e");
	/* short enough as a line, too long as an event */
	add("{\"error_severity\":\"LOG\",\"message\":\"statement: ");
	fill('q', MAXM - 60);
	add("\"}");
	check_long(__LINE__, -1, 44,
	           "71fe8825911b02749513a9482f83c0dfd54b06ee355924429ec7bcb53916011e");
	free(line);
}

/* ---- mutated lines: the one-pass path against the portable one ---- */

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static void test_mutated(void)
{
	static const char bytes[] = " \t\r\n\"\\,:{}[]u0a-.eE\xff\xc3\xa9/";
	static char buf[8192];
	size_t ncases = sizeof pg_cases / sizeof pg_cases[0], k[2];
	int differ = 0;

	for (int round = 0; round < 60000; round++) {
		const struct pg_case *c = &pg_cases[rnd((uint32_t)ncases)];
		size_t n = c->n;
		int edits = 1 + (int)rnd(4), rc[2];

		if (n > sizeof buf - 16)
			continue;
		memcpy(buf, c->in, n);
		for (int j = 0; j < edits; j++) {
			size_t at = n ? rnd((uint32_t)n) : 0;
			char b = bytes[rnd(sizeof bytes - 1)];
			switch (rnd(3)) {
			case 0: /* replace */
				if (n)
					buf[at] = b;
				break;
			case 1: /* insert */
				memmove(buf + at + 1, buf + at, n - at);
				buf[at] = b;
				n++;
				break;
			default: /* delete */
				if (n) {
					memmove(buf + at, buf + at + 1, n - at - 1);
					n--;
				}
			}
		}
		for (int portable = 0; portable < 2; portable++)
			rc[portable] = map(portable, buf, n, got[portable], sizeof got[0], &k[portable]);
		if (rc[0] != rc[1] || k[0] != k[1] || memcmp(got[0], got[1], k[0]) != 0) {
			if (differ++ < 5)
				fprintf(stderr, "mutated line \"%.*s\": one-pass %d \"%.*s\", "
				                "portable %d \"%.*s\"\n",
				        (int)n, buf, rc[0], (int)k[0], got[0], rc[1], (int)k[1], got[1]);
		}
	}
	CHECK(differ == 0);
}

int main(void)
{
	struct alog_error e;

	mapper = alog_mapper_new("postgres-jsonlog", NULL, &e);
	if (!mapper)
		return 2;
	test_cases();
	test_long();
	test_mutated();
	alog_mapper_free(mapper);
	return t_done("map_pg");
}
