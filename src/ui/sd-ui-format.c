/* sd-ui-format.c: dates and times of the store written for people, in their locale.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "sd-ui-format.h"

#include <glib/gi18n.h>
#include <string.h>

/* The store keeps dates as "YYYY-MM-DD", local date-times without a zone and journal
 * times in UTC with "Z"; each is read in the zone it was written in. */
static GDateTime *
parse (const char *iso)
{
  g_autoptr(GTimeZone) local = NULL;
  g_autofree char *full = NULL;

  if (iso == NULL || *iso == '\0')
    return NULL;
  local = g_time_zone_new_local ();
  if (strlen (iso) == 10)
    {
      full = g_strconcat (iso, "T00:00:00", NULL);
      iso = full;
    }
  return g_date_time_new_from_iso8601 (iso, local);
}

char *
sd_ui_format_date (const char *iso)
{
  g_autoptr(GDateTime) date = parse (iso);

  if (date == NULL)
    return NULL;
  /* TRANSLATORS: a date as g_date_time_format() writes it; "12 Mar 2026" */
  return g_date_time_format (date, _("%-d %b %Y"));
}

char *
sd_ui_format_datetime (const char *iso)
{
  g_autoptr(GDateTime) date = parse (iso);
  g_autoptr(GDateTime) local = NULL;

  if (date == NULL)
    return NULL;
  local = g_date_time_to_local (date);
  /* TRANSLATORS: a date and time as g_date_time_format() writes them; "12 Mar 2026, 14:30" */
  return g_date_time_format (local, _("%-d %b %Y, %H:%M"));
}
