/* json.h — a small JSON reader for test-case metadata (case.json).
 *
 * Parses a whole document into a tree of json_value nodes. Enough for configuration files:
 * numbers are doubles, strings are UTF-8 with the standard escapes (\uXXXX is decoded to
 * UTF-8, surrogate pairs included), objects keep their keys in document order. The tree is
 * owned by the caller and released with json_free.
 */
#ifndef TRT_TESTS_JSON_H
#define TRT_TESTS_JSON_H

#include <stddef.h>

typedef enum { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_type;

typedef struct json_value {
    json_type type;
    double number;             /* JSON_NUMBER; JSON_BOOL: 0 or 1 */
    char *string;              /* JSON_STRING */
    int n;                     /* JSON_ARRAY, JSON_OBJECT: element count */
    char **keys;               /* JSON_OBJECT: n keys */
    struct json_value **items; /* JSON_ARRAY, JSON_OBJECT: n values */
} json_value;

/* Parses `len` bytes. Returns NULL on error, with a message ("line 3: expected ':'") in err. */
json_value *json_parse(const char *text, size_t len, char *err, size_t err_len);
void json_free(json_value *v);
/* The value of `key` in an object, or NULL (also when v is not an object). Borrowed. */
const json_value *json_get(const json_value *v, const char *key);
/* "object", "array", ... for messages. */
const char *json_type_name(json_type t);

#endif /* TRT_TESTS_JSON_H */
