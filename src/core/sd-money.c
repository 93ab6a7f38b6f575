/* sd-money.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-money.h"

#include <locale.h>
#include <string.h>

static const char *
currency_symbol (const char *currency)
{
  if (currency == NULL || strcmp (currency, "RUB") == 0)
    return "₽";
  if (strcmp (currency, "USD") == 0)
    return "$";
  if (strcmp (currency, "EUR") == 0)
    return "€";
  return currency;
}

char *
sd_money_format (gint64      minor_units,
                 const char *currency)
{
  struct lconv *conv = localeconv ();
  const char *group = conv->mon_thousands_sep && *conv->mon_thousands_sep
                        ? conv->mon_thousands_sep : ",";
  const char *decimal = conv->mon_decimal_point && *conv->mon_decimal_point
                          ? conv->mon_decimal_point : ".";
  guint64 magnitude = minor_units < 0 ? -(guint64) minor_units : (guint64) minor_units;
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, magnitude / 100);
  GString *out = g_string_new (minor_units < 0 ? "−" : "");
  size_t len = strlen (digits);

  for (size_t i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append (out, group);
      g_string_append_c (out, digits[i]);
    }
  if (magnitude % 100 != 0)
    g_string_append_printf (out, "%s%02u", decimal, (guint) (magnitude % 100));
  g_string_append_printf (out, " %s", currency_symbol (currency));
  return g_string_free (out, FALSE);
}

gboolean
sd_money_parse (const char *text,
                gint64     *out_minor_units)
{
  guint64 whole = 0;
  guint fraction = 0;
  int fraction_digits = -1;
  gboolean any = FALSE;

  if (text == NULL)
    return FALSE;
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || c == 0x202F || c == 0x00A0 || c == 0x20BD /* ₽ */)
        continue;
      if (c == ',' || c == '.')
        {
          if (fraction_digits >= 0)
            return FALSE;
          fraction_digits = 0;
          continue;
        }
      if (c < '0' || c > '9')
        return FALSE;
      any = TRUE;
      if (fraction_digits >= 0)
        {
          if (++fraction_digits > 2)
            return FALSE;
          fraction = fraction * 10 + (c - '0');
        }
      else
        {
          whole = whole * 10 + (c - '0');
          if (whole > G_MAXINT64 / 1000)
            return FALSE;
        }
    }
  if (!any)
    return FALSE;
  if (fraction_digits == 1)
    fraction *= 10;
  *out_minor_units = (gint64) whole * 100 + fraction;
  return TRUE;
}
