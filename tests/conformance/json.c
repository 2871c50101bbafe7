/* json.c — recursive-descent JSON reader (see json.h). */
#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 64

typedef struct {
    const char *p, *end, *start;
    char *err;
    size_t err_len;
    int failed;
} parser;

static int line_of(const parser *ps) {
    int line = 1;
    for (const char *c = ps->start; c < ps->p && c < ps->end; c++) line += *c == '\n';
    return line;
}

static json_value *fail(parser *ps, const char *fmt, ...) {
    if (ps->failed) return NULL;
    ps->failed = 1;
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (ps->err_len) snprintf(ps->err, ps->err_len, "line %d: %s", line_of(ps), what);
    return NULL;
}

static void skip_ws(parser *ps) {
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static json_value *new_value(parser *ps, json_type t) {
    json_value *v = calloc(1, sizeof *v);
    if (!v) return fail(ps, "out of memory");
    v->type = t;
    return v;
}

static int append(json_value *v, char *key, json_value *item) {
    json_value **items = realloc(v->items, sizeof *items * (size_t)(v->n + 1));
    if (!items) return 0;
    v->items = items;
    if (v->type == JSON_OBJECT) {
        char **keys = realloc(v->keys, sizeof *keys * (size_t)(v->n + 1));
        if (!keys) return 0;
        v->keys = keys;
        keys[v->n] = key;
    }
    items[v->n++] = item;
    return 1;
}

static int hex4(const char *p, unsigned *out) {
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

static size_t put_utf8(char *o, unsigned cp) {
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Parses a string starting at '"'; returns a malloc'd copy or NULL. Escapes never grow the
 * text (\uXXXX is 6 bytes, at most 4 in UTF-8), so the raw length bounds the output. */
static char *parse_string(parser *ps) {
    ps->p++; /* '"' */
    const char *q = ps->p;
    while (q < ps->end && *q != '"') q += (*q == '\\' && q + 1 < ps->end) ? 2 : 1;
    if (q >= ps->end) return fail(ps, "unterminated string"), NULL;
    char *out = malloc((size_t)(q - ps->p) + 1), *o = out;
    if (!out) return fail(ps, "out of memory"), NULL;
    while (ps->p < q) {
        char c = *ps->p++;
        if ((unsigned char)c < 0x20) {
            free(out);
            return fail(ps, "control character in string"), NULL;
        }
        if (c != '\\') {
            *o++ = c;
            continue;
        }
        char e = *ps->p++;
        switch (e) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            if (q - ps->p < 4 || !hex4(ps->p, &cp)) {
                free(out);
                return fail(ps, "bad \\u escape"), NULL;
            }
            ps->p += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && q - ps->p >= 6 && ps->p[0] == '\\' &&
                ps->p[1] == 'u' && hex4(ps->p + 2, &lo) && lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                ps->p += 6;
            }
            o += put_utf8(o, cp);
            break;
        }
        default:
            free(out);
            return fail(ps, "bad escape '\\%c'", e), NULL;
        }
    }
    *o = 0;
    ps->p = q + 1;
    return out;
}

static json_value *parse_value(parser *ps, int depth);

static json_value *parse_container(parser *ps, int depth, json_type t) {
    char close = t == JSON_OBJECT ? '}' : ']';
    json_value *v = new_value(ps, t);
    if (!v) return NULL;
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return v;
    }
    for (;;) {
        char *key = NULL;
        skip_ws(ps);
        if (t == JSON_OBJECT) {
            if (ps->p >= ps->end || *ps->p != '"') {
                fail(ps, "expected a string key");
                break;
            }
            key = parse_string(ps);
            if (!key) break;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') {
                free(key);
                fail(ps, "expected ':'");
                break;
            }
            ps->p++;
        }
        json_value *item = parse_value(ps, depth + 1);
        if (!item || !append(v, key, item)) {
            free(key);
            json_free(item);
            fail(ps, "out of memory");
            break;
        }
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == close) {
            ps->p++;
            return v;
        }
        fail(ps, "expected ',' or '%c'", close);
        break;
    }
    json_free(v);
    return NULL;
}

static json_value *parse_value(parser *ps, int depth) {
    if (depth > JSON_MAX_DEPTH) return fail(ps, "nested too deeply");
    skip_ws(ps);
    if (ps->p >= ps->end) return fail(ps, "unexpected end of input");
    char c = *ps->p;
    if (c == '{') return parse_container(ps, depth, JSON_OBJECT);
    if (c == '[') return parse_container(ps, depth, JSON_ARRAY);
    if (c == '"') {
        char *s = parse_string(ps);
        if (!s) return NULL;
        json_value *v = new_value(ps, JSON_STRING);
        if (!v) {
            free(s);
            return NULL;
        }
        v->string = s;
        return v;
    }
    static const struct {
        const char *word;
        json_type type;
        double value;
    } words[] = {{"true", JSON_BOOL, 1}, {"false", JSON_BOOL, 0}, {"null", JSON_NULL, 0}};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        size_t wl = strlen(words[i].word);
        if ((size_t)(ps->end - ps->p) >= wl && memcmp(ps->p, words[i].word, wl) == 0) {
            ps->p += wl;
            json_value *v = new_value(ps, words[i].type);
            if (v) v->number = words[i].value;
            return v;
        }
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        char buf[64];
        size_t n = 0;
        while (ps->p + n < ps->end && n < sizeof buf - 1 && strchr("+-0123456789.eE", ps->p[n])) n++;
        memcpy(buf, ps->p, n);
        buf[n] = 0;
        char *endp;
        double d = strtod(buf, &endp);
        if (endp != buf + n) return fail(ps, "bad number '%s'", buf);
        ps->p += n;
        json_value *v = new_value(ps, JSON_NUMBER);
        if (v) v->number = d;
        return v;
    }
    return fail(ps, "unexpected character '%c'", c);
}

json_value *json_parse(const char *text, size_t len, char *err, size_t err_len) {
    parser ps = {text, text + len, text, err, err_len, 0};
    if (err_len) err[0] = 0;
    json_value *v = parse_value(&ps, 0);
    if (!v) return NULL;
    skip_ws(&ps);
    if (ps.p != ps.end) {
        json_free(v);
        return fail(&ps, "trailing characters after the document");
    }
    return v;
}

void json_free(json_value *v) {
    if (!v) return;
    for (int i = 0; i < v->n; i++) {
        if (v->keys) free(v->keys[i]);
        json_free(v->items[i]);
    }
    free(v->keys);
    free(v->items);
    free(v->string);
    free(v);
}

const json_value *json_get(const json_value *v, const char *key) {
    if (!v || v->type != JSON_OBJECT) return NULL;
    for (int i = 0; i < v->n; i++)
        if (strcmp(v->keys[i], key) == 0) return v->items[i];
    return NULL;
}

const char *json_type_name(json_type t) {
    static const char *names[] = {"null", "boolean", "number", "string", "array", "object"};
    return (unsigned)t < sizeof names / sizeof *names ? names[t] : "?";
}
