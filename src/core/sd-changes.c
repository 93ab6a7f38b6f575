/* sd-changes.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sd-changes.h"

#include <string.h>

struct _SdChanges
{
  GArray *items;  /* SdChange, in the order they were set */
};

gboolean
sd_value_equal (const SdValue *a,
                const SdValue *b)
{
  if (a->kind != b->kind)
    return FALSE;
  switch (a->kind)
    {
    case SD_VALUE_NUMBER:
      return a->number == b->number;
    case SD_VALUE_STRING:
      return strcmp (a->text, b->text) == 0;
    default:
      return TRUE;
    }
}

void
sd_value_clear (SdValue *value)
{
  g_clear_pointer (&value->text, g_free);
  value->kind = SD_VALUE_NULL;
}

static void
clear_change (gpointer data)
{
  SdChange *change = data;

  g_free (change->field);
  sd_value_clear (&change->value);
}

SdChanges *
sd_changes_new (void)
{
  SdChanges *self = g_new0 (SdChanges, 1);

  self->items = g_array_sized_new (FALSE, TRUE, sizeof (SdChange), 8);
  g_array_set_clear_func (self->items, clear_change);
  return self;
}

void
sd_changes_free (SdChanges *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->items);
  g_free (self);
}

/* Setting a field twice keeps the last value, in the first one's place. */
static SdValue *
slot_for (SdChanges  *self,
          const char *field)
{
  SdChange *existing = (SdChange *) sd_changes_lookup (self, field);

  if (existing != NULL)
    {
      sd_value_clear (&existing->value);
      return &existing->value;
    }
  g_array_set_size (self->items, self->items->len + 1);
  existing = &g_array_index (self->items, SdChange, self->items->len - 1);
  existing->field = g_strdup (field);
  return &existing->value;
}

void
sd_changes_set_int (SdChanges  *self,
                    const char *field,
                    gint64      value)
{
  SdValue *slot = slot_for (self, field);

  slot->kind = SD_VALUE_NUMBER;
  slot->number = value;
}

void
sd_changes_set_text (SdChanges  *self,
                     const char *field,
                     const char *value)
{
  SdValue *slot = slot_for (self, field);

  if (value == NULL)
    return;
  slot->kind = SD_VALUE_STRING;
  slot->text = g_strdup (value);
}

void
sd_changes_set_null (SdChanges  *self,
                     const char *field)
{
  slot_for (self, field);
}

void
sd_changes_set_value (SdChanges     *self,
                      const char    *field,
                      const SdValue *value)
{
  if (value->kind == SD_VALUE_NUMBER)
    sd_changes_set_int (self, field, value->number);
  else if (value->kind == SD_VALUE_STRING)
    sd_changes_set_text (self, field, value->text);
  else
    sd_changes_set_null (self, field);
}

guint
sd_changes_get_size (const SdChanges *self)
{
  return self->items->len;
}

const SdChange *
sd_changes_get (const SdChanges *self,
                guint            index)
{
  g_return_val_if_fail (index < self->items->len, NULL);
  return &g_array_index (self->items, SdChange, index);
}

const SdChange *
sd_changes_lookup (const SdChanges *self,
                   const char      *field)
{
  for (guint i = 0; i < self->items->len; i++)
    {
      const SdChange *change = &g_array_index (self->items, SdChange, i);
      if (strcmp (change->field, field) == 0)
        return change;
    }
  return NULL;
}
