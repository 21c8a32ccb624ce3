/*
 * Makes one HTTP request through Bacalhau's host function `wasi:http/requests.http_request` and
 * prints the outcome, like Bacalhau's own HTTP test module. Env: HTTP_URL (required), HTTP_METHOD
 * (default GET), HTTP_HEADERS (`Key: Value` lines), HTTP_BODY, and HTTP_HEADERS_BUFFER /
 * HTTP_BODY_BUFFER (response buffer sizes in bytes, default 8 KiB / 256 KiB, to show truncation).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((import_module("wasi:http/requests"), import_name("http_request")))
uint32_t http_request(uint32_t method, const char *url, uint32_t url_len, const char *headers,
                      uint32_t headers_len, const char *body, uint32_t body_len, char *resp_headers,
                      uint32_t *resp_headers_len, char *resp_body, uint32_t *resp_body_len,
                      uint32_t *status);

static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"};

static const char *const errors[] = {
    "", "invalid URL", "network error", "request timeout", "host not allowed",
    "response too large", "bad input", "memory error",
};

static uint32_t buffer_size(const char *name, uint32_t fallback) {
  const char *raw = getenv(name);
  if (!raw || *raw == '\0') return fallback;
  char *end = NULL;
  unsigned long n = strtoul(raw, &end, 10);
  if (*end != '\0' || n > 64UL * 1024 * 1024) return fallback;
  return (uint32_t)n;
}

int main(void) {
  const char *url = getenv("HTTP_URL");
  if (!url || *url == '\0') {
    printf("Error: HTTP_URL environment variable is required\n");
    return 1;
  }
  const char *given = getenv("HTTP_METHOD");
  if (!given || *given == '\0') given = "GET";
  char upper[16] = {0};
  size_t given_len = strlen(given);
  for (size_t i = 0; i < given_len && i < sizeof upper - 1; i++) upper[i] = (char)toupper((unsigned char)given[i]);
  uint32_t method = 0;
  while (method < sizeof methods / sizeof *methods && (given_len >= sizeof upper || strcmp(upper, methods[method]) != 0)) {
    method++;
  }
  if (method == sizeof methods / sizeof *methods) {
    printf("Error: unsupported HTTP method: %s\n", given);
    return 1;
  }
  const char *headers = getenv("HTTP_HEADERS");
  const char *body = getenv("HTTP_BODY");
  if (!headers) headers = "";
  if (!body) body = "";

  uint32_t headers_cap = buffer_size("HTTP_HEADERS_BUFFER", 8 * 1024);
  uint32_t body_cap = buffer_size("HTTP_BODY_BUFFER", 256 * 1024);
  /* +1 so a zero-sized buffer still has a valid, non-null address. */
  char *resp_headers = malloc(headers_cap + 1);
  char *resp_body = malloc(body_cap + 1);
  if (!resp_headers || !resp_body) {
    printf("Error: out of memory\n");
    return 1;
  }
  uint32_t headers_len = headers_cap, body_len = body_cap, status = 0;

  printf("Making %s request to %s\n", given, url);
  uint32_t rc = http_request(method, url, (uint32_t)strlen(url), headers, (uint32_t)strlen(headers), body,
                             (uint32_t)strlen(body), resp_headers, &headers_len, resp_body, &body_len, &status);
  if (rc != 0) {
    if (rc < sizeof errors / sizeof *errors) printf("Error making request: %s\n", errors[rc]);
    else printf("Error making request: unknown error %u\n", rc);
    return 1;
  }
  printf("Status Code: %u\nHeaders:\n", status);
  fwrite(resp_headers, 1, headers_len, stdout);
  printf("\n\nBody:\n");
  fwrite(resp_body, 1, body_len, stdout);
  printf("\n");
  /* exit() rather than a return: wasi-libc's _start only calls proc_exit for a non-zero status. */
  exit(0);
}
