/* test-text.c: checks of what people type, and money as they read it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-money.h"
#include "sd-text.h"

#include <locale.h>

static void
test_inn (void)
{
  g_assert_true (sd_text_inn_is_valid ("7707083893"));      /* Sberbank */
  g_assert_true (sd_text_inn_is_valid ("500100732259"));    /* a valid individual's */
  g_assert_false (sd_text_inn_is_valid ("7707083894"));
  g_assert_false (sd_text_inn_is_valid ("500100732250"));
  g_assert_false (sd_text_inn_is_valid ("77070838"));
  g_assert_false (sd_text_inn_is_valid ("77070838x3"));
}

static void
test_fold_words (void)
{
  g_autofree char *a = sd_text_fold_words ("  Пётр  СЕМЁНОВ, «ООО Ёлка-2»! ");
  g_autofree char *b = sd_text_fold_words ("Семе\xcc\x88нов");
  g_autofree char *c = sd_text_fold_words ("—,;");
  g_autofree char *d = sd_text_fold_words ("bad \xff utf8");

  g_assert_cmpstr (a, ==, "петр семенов ооо елка 2");
  g_assert_cmpstr (b, ==, "семенов");
  g_assert_cmpstr (c, ==, "");
  g_assert_cmpstr (d, ==, "");
}

static void
test_email (void)
{
  g_assert_true (sd_text_email_is_valid ("ivanov@example.ru"));
  g_assert_false (sd_text_email_is_valid ("ivanov@"));
  g_assert_false (sd_text_email_is_valid ("ivanov example.ru"));
  g_assert_false (sd_text_email_is_valid ("@example.ru"));
}

static void
test_money (void)
{
  g_autofree char *a = sd_money_format (125000000, "RUB");
  g_autofree char *b = sd_money_format (12345, "RUB");
  gint64 parsed = 0;

  g_assert_cmpstr (a, ==, "1,250,000 ₽");
  g_assert_cmpstr (b, ==, "123.45 ₽");
  g_assert_true (sd_money_parse ("1 250 000,5", &parsed));
  g_assert_cmpint (parsed, ==, 125000050);
  g_assert_false (sd_money_parse ("-5", &parsed));
  g_assert_false (sd_money_parse ("12.345", &parsed));
  g_assert_false (sd_money_parse ("", &parsed));
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/text/inn-checksum", test_inn);
  g_test_add_func ("/core/text/email", test_email);
  g_test_add_func ("/core/text/fold-words", test_fold_words);
  g_test_add_func ("/core/money/format-and-parse", test_money);
  return g_test_run ();
}
