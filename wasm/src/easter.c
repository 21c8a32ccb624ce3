/*
 * A library module with no imports at all: other modules import `easter` from it. Built without
 * libc, so it needs no WASI. Uses the anonymous Gregorian computus (Meeus/Jones/Butcher).
 */
__attribute__((export_name("easter"))) int easter(int year) {
  int a = year % 19, b = year / 100, c = year % 100;
  int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
  int h = (19 * a + b - d - g + 15) % 30;
  int i = c / 4, k = c % 4;
  int l = (32 + 2 * e + 2 * i - h - k) % 7;
  int m = (a + 11 * h + 22 * l) / 451;
  return (h + l - 7 * m + 114) % 31 + 1; /* day of month (March or April) */
}

__attribute__((export_name("easter2022"))) int easter2022(void) { return easter(2022); }
