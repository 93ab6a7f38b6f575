/* sd-text.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-text.h"

#include <string.h>

/* One pass, no Unicode normalisation (it cost more than the rest of indexing together):
 * lower case plus the one letter Russian writes two ways (ё, also as е + U+0308) is what
 * search needs. */
char *
sd_text_fold_words (const char *text)
{
  GString *out;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return g_strdup ("");
  out = g_string_sized_new (strlen (text));
  for (const char *p = text; *p != '\0';)
    {
      gunichar c;

      if ((guchar) *p < 0x80)
        {
          c = g_ascii_isalnum (*p) ? (gunichar) g_ascii_tolower (*p) : ' ';
          p++;
        }
      else
        {
          c = g_utf8_get_char (p);
          p = g_utf8_next_char (p);
          if (c == 0x0308 && g_str_has_suffix (out->str, "е"))
            continue;  /* the diaeresis of a decomposed ё */
          c = g_unichar_isalnum (c) ? g_unichar_tolower (c) : ' ';
          if (c == 0x0451 /* ё */)
            c = 0x0435; /* е */
        }
      if (c != ' ')
        g_string_append_unichar (out, c);
      else if (out->len > 0 && out->str[out->len - 1] != ' ')
        g_string_append_c (out, ' ');
    }
  if (out->len > 0 && out->str[out->len - 1] == ' ')
    g_string_truncate (out, out->len - 1);
  return g_string_free (out, FALSE);
}

char *
sd_text_phone_digits (const char *text)
{
  GString *digits = g_string_new (NULL);

  for (const char *p = text ? text : ""; *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (digits, *p);
  if (digits->len == 11 && (digits->str[0] == '7' || digits->str[0] == '8'))
    g_string_erase (digits, 0, 1);
  return g_string_free (digits, FALSE);
}

gboolean
sd_text_looks_like_phone (const char *text)
{
  guint n_digits = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        n_digits++;
      else if (strchr ("+()- .", *p) == NULL)
        return FALSE;
    }
  return n_digits >= 5;
}

static gboolean
inn_digit_ok (const char *inn,
              const int  *weights,
              guint       n_weights,
              guint       check_index)
{
  int sum = 0;

  for (guint i = 0; i < n_weights; i++)
    sum += (inn[i] - '0') * weights[i];
  return (sum % 11) % 10 == inn[check_index] - '0';
}

/* The Russian tax number: 10 digits for organisations, 12 for individuals, with check
 * digits as the Federal Tax Service defines them. */
gboolean
sd_text_inn_is_valid (const char *inn)
{
  static const int w10[] = { 2, 4, 10, 3, 5, 9, 4, 6, 8 };
  static const int w11[] = { 7, 2, 4, 10, 3, 5, 9, 4, 6, 8 };
  static const int w12[] = { 3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8 };
  size_t len;

  if (inn == NULL)
    return FALSE;
  len = strlen (inn);
  for (size_t i = 0; i < len; i++)
    if (!g_ascii_isdigit (inn[i]))
      return FALSE;
  if (len == 10)
    return inn_digit_ok (inn, w10, G_N_ELEMENTS (w10), 9);
  if (len == 12)
    return inn_digit_ok (inn, w11, G_N_ELEMENTS (w11), 10)
           && inn_digit_ok (inn, w12, G_N_ELEMENTS (w12), 11);
  return FALSE;
}

gboolean
sd_text_email_is_valid (const char *email)
{
  const char *at;
  const char *dot;

  if (email == NULL || strchr (email, ' ') != NULL)
    return FALSE;
  at = strchr (email, '@');
  if (at == NULL || at == email || strchr (at + 1, '@') != NULL)
    return FALSE;
  dot = strrchr (at, '.');
  return dot != NULL && dot > at + 1 && dot[1] != '\0';
}
