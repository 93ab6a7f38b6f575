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

static void
clear_change (gpointer data)
{
  SdChange *change = data;

  g_free (change->field);
  g_clear_pointer (&change->value, g_variant_unref);
}

SdChanges *
sd_changes_new (void)
{
  SdChanges *self = g_new0 (SdChanges, 1);

  self->items = g_array_new (FALSE, TRUE, sizeof (SdChange));
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
static void
set_value (SdChanges  *self,
           const char *field,
           GVariant   *value)
{
  SdChange *existing = (SdChange *) sd_changes_lookup (self, field);

  if (value != NULL)
    g_variant_ref_sink (value);
  if (existing != NULL)
    {
      g_clear_pointer (&existing->value, g_variant_unref);
      existing->value = value;
      return;
    }
  g_array_append_val (self->items, ((SdChange) { g_strdup (field), value }));
}

void
sd_changes_set_int (SdChanges  *self,
                    const char *field,
                    gint64      value)
{
  set_value (self, field, g_variant_new_int64 (value));
}

void
sd_changes_set_text (SdChanges  *self,
                     const char *field,
                     const char *value)
{
  set_value (self, field, value != NULL ? g_variant_new_string (value) : NULL);
}

void
sd_changes_set_null (SdChanges  *self,
                     const char *field)
{
  set_value (self, field, NULL);
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
