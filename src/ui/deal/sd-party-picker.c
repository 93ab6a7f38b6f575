/* sd-party-picker.c: pick a deal's contact or company with search, or make a new one.
 *
 * The search is the store's full-text index (names, phones, INNs), narrowed to the kind
 * of row being picked. A new contact needs a name and may have a phone; a new company a
 * title and may have an INN; both are checked before anything is written.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-party-picker"

#include "config.h"

#include "sd-party-picker.h"

#include <glib/gi18n.h>

#include "sd-records.h"
#include "sd-search.h"
#include "sd-text.h"

#define MAX_RESULTS 8

struct _SdPartyPicker
{
  GtkPopover  parent_instance;

  SdStore    *store;
  SdEntity    entity;

  GtkWidget  *search_entry;
  GtkListBox *results;
  GtkWidget  *name_entry;
  GtkWidget  *extra_entry;
  GtkLabel   *error_label;
  GtkWidget  *create_button;
};

enum {
  PICKED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SdPartyPicker, sd_party_picker, GTK_TYPE_POPOVER)

static void
on_search_changed (SdPartyPicker *self)
{
  g_autoptr(GArray) hits = NULL;
  GtkWidget *child;
  guint shown = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->results))) != NULL)
    gtk_list_box_remove (self->results, child);
  hits = sd_store_search (self->store, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)),
                          100, NULL);
  for (guint i = 0; hits != NULL && i < hits->len && shown < MAX_RESULTS; i++)
    {
      SdSearchHit *hit = &g_array_index (hits, SdSearchHit, i);
      g_autofree char *name = NULL;
      GtkWidget *label;

      if (hit->entity != self->entity)
        continue;
      name = sd_store_describe (self->store, hit->entity, hit->id);
      label = gtk_label_new (name);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_widget_set_margin_start (label, 6);
      gtk_widget_set_margin_end (label, 6);
      gtk_widget_set_margin_top (label, 6);
      gtk_widget_set_margin_bottom (label, 6);
      gtk_list_box_append (self->results, label);
      g_object_set_data (G_OBJECT (gtk_widget_get_parent (label)), "party-id",
                         GSIZE_TO_POINTER (hit->id));
      shown++;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->results), shown > 0);
}

static void
on_result_activated (SdPartyPicker *self,
                     GtkListBoxRow *row)
{
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "party-id"));

  gtk_popover_popdown (GTK_POPOVER (self));
  g_signal_emit (self, signals[PICKED], 0, id);
}

/* What is wrong with the new row's fields, or NULL. */
static const char *
check_new (SdPartyPicker *self,
           const char    *name,
           const char    *extra)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (name));

  if (*trimmed == '\0')
    return self->entity == SD_ENTITY_CONTACT ? _("A contact needs a name")
                                             : _("A company needs a title");
  if (*extra == '\0')
    return NULL;
  if (self->entity == SD_ENTITY_CONTACT && !sd_text_looks_like_phone (extra))
    return _("This does not look like a phone number");
  if (self->entity == SD_ENTITY_COMPANY && !sd_text_inn_is_valid (extra))
    return _("This INN is not valid: it has 10 or 12 digits and its check digits must match");
  return NULL;
}

static void
on_new_changed (SdPartyPicker *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_entry));
  const char *extra = gtk_editable_get_text (GTK_EDITABLE (self->extra_entry));
  const char *problem = check_new (self, name, extra);

  /* An empty name is not an error yet, only not ready. */
  gtk_label_set_text (self->error_label, problem != NULL && *name != '\0' ? problem : "");
  gtk_widget_set_sensitive (self->create_button, problem == NULL);
}

gint64
sd_party_picker_create (SdPartyPicker  *self,
                        const char     *name,
                        const char     *extra,
                        GError        **error)
{
  g_autoptr(SdChanges) changes = sd_changes_new ();
  g_autofree char *trimmed = g_strstrip (g_strdup (name));
  const char *problem;
  gint64 id;

  g_return_val_if_fail (SD_IS_PARTY_PICKER (self), 0);

  if ((problem = check_new (self, name, extra)) != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, problem);
      return 0;
    }
  if (!sd_store_begin (self->store, error))
    return 0;
  if (self->entity == SD_ENTITY_CONTACT)
    {
      g_auto(GStrv) names = g_strsplit (trimmed, " ", 2);

      /* "Иванова Анна": a surname and a first name; one word is a first name. */
      if (names[1] != NULL)
        {
          sd_changes_set_text (changes, "last_name", names[0]);
          sd_changes_set_text (changes, "first_name", g_strstrip (names[1]));
        }
      else
        sd_changes_set_text (changes, "first_name", names[0]);
    }
  else
    {
      sd_changes_set_text (changes, "title", trimmed);
      if (*extra != '\0')
        sd_changes_set_text (changes, "inn", extra);
    }
  id = sd_store_insert (self->store, self->entity, changes, error);
  if (id > 0 && self->entity == SD_ENTITY_CONTACT && *extra != '\0')
    {
      g_autoptr(SdChanges) phone = sd_changes_new ();

      sd_changes_set_int (phone, "contact_id", id);
      sd_changes_set_text (phone, "kind", "phone");
      sd_changes_set_text (phone, "value", extra);
      if (sd_store_insert (self->store, SD_ENTITY_CONTACT_CHANNEL, phone, error) <= 0)
        id = 0;
    }
  if (id <= 0)
    {
      sd_store_rollback (self->store);
      return 0;
    }
  return sd_store_commit (self->store, error) ? id : 0;
}

static void
on_create_clicked (SdPartyPicker *self)
{
  g_autoptr(GError) error = NULL;
  gint64 id = sd_party_picker_create (self,
                                      gtk_editable_get_text (GTK_EDITABLE (self->name_entry)),
                                      gtk_editable_get_text (GTK_EDITABLE (self->extra_entry)),
                                      &error);

  if (id == 0)
    {
      /* The fields keep what was typed. */
      gtk_label_set_text (self->error_label, error->message);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->name_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->extra_entry), "");
  gtk_popover_popdown (GTK_POPOVER (self));
  g_signal_emit (self, signals[PICKED], 0, id);
}

static void
sd_party_picker_dispose (GObject *object)
{
  SdPartyPicker *self = SD_PARTY_PICKER (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SD_TYPE_PARTY_PICKER);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (sd_party_picker_parent_class)->dispose (object);
}

static void
sd_party_picker_class_init (SdPartyPickerClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = sd_party_picker_dispose;

  signals[PICKED] = g_signal_new ("picked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/sdelka/Sdelka/deal/sd-party-picker.ui");
  gtk_widget_class_bind_template_child (widget_class, SdPartyPicker, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SdPartyPicker, results);
  gtk_widget_class_bind_template_child (widget_class, SdPartyPicker, name_entry);
  gtk_widget_class_bind_template_child (widget_class, SdPartyPicker, extra_entry);
  gtk_widget_class_bind_template_child (widget_class, SdPartyPicker, error_label);
  gtk_widget_class_bind_template_child (widget_class, SdPartyPicker, create_button);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_result_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_new_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_create_clicked);
}

static void
sd_party_picker_init (SdPartyPicker *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_visible (GTK_WIDGET (self->results), FALSE);
}

GtkWidget *
sd_party_picker_new (SdStore  *store,
                     SdEntity  entity)
{
  SdPartyPicker *self;
  gboolean contact = entity == SD_ENTITY_CONTACT;

  g_return_val_if_fail (SD_IS_STORE (store), NULL);
  g_return_val_if_fail (contact || entity == SD_ENTITY_COMPANY, NULL);

  self = g_object_new (SD_TYPE_PARTY_PICKER, NULL);
  self->store = g_object_ref (store);
  self->entity = entity;
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->name_entry),
                                  contact ? _("Surname and name") : _("Company title"));
  gtk_entry_set_placeholder_text (GTK_ENTRY (self->extra_entry),
                                  contact ? _("Phone") : _("INN"));
  gtk_entry_set_input_purpose (GTK_ENTRY (self->extra_entry),
                               contact ? GTK_INPUT_PURPOSE_PHONE : GTK_INPUT_PURPOSE_DIGITS);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->name_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  contact ? _("New contact’s surname and name")
                                          : _("New company’s title"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->extra_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  contact ? _("New contact’s phone") : _("New company’s INN"),
                                  -1);
  return GTK_WIDGET (self);
}
