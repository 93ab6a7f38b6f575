/* sd-changes.h: a set of field values for one write through the store.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  SD_VALUE_NULL,
  SD_VALUE_NUMBER,
  SD_VALUE_STRING,
} SdValueKind;

/* A field's value: a number, a string, or SQL NULL. Plain data rather than GVariant:
 * every write builds several, and their allocations showed in bulk imports. */
typedef struct
{
  SdValueKind kind;
  gint64      number;
  char       *text;
} SdValue;

typedef struct
{
  char    *field;
  SdValue  value;
} SdChange;

typedef struct _SdChanges SdChanges;

gboolean        sd_value_equal      (const SdValue *a,
                                     const SdValue *b);
void            sd_value_clear      (SdValue       *value);

SdChanges      *sd_changes_new      (void);
void            sd_changes_free     (SdChanges  *self);
void            sd_changes_set_int  (SdChanges  *self,
                                     const char *field,
                                     gint64      value);
void            sd_changes_set_text (SdChanges  *self,
                                     const char *field,
                                     const char *value);
void            sd_changes_set_null (SdChanges  *self,
                                     const char *field);
/* One of the three above, after @value's kind. */
void            sd_changes_set_value (SdChanges     *self,
                                      const char    *field,
                                      const SdValue *value);
guint           sd_changes_get_size (const SdChanges *self);
const SdChange *sd_changes_get      (const SdChanges *self,
                                     guint            index);
const SdChange *sd_changes_lookup   (const SdChanges *self,
                                     const char      *field);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SdChanges, sd_changes_free)

G_END_DECLS
