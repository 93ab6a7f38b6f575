/* sd-new-deal-dialog.c: a new deal at the first stage the acting user may edit, with its
 * client and the pipeline's required list fields, written in one transaction.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-new-deal-dialog"

#include "config.h"

#include "sd-new-deal-dialog.h"

#include <glib/gi18n.h>

#include "sd-money.h"
#include "sd-records.h"
#include "sd-text.h"

struct _SdNewDealDialog
{
  AdwWindow   parent_instance;

  SdStore    *store;
  gint64      pipeline_id;
  gint64      stage_id;
  GPtrArray  *fields;     /* the required list fields: SdCustomField */
  GPtrArray  *combos;     /* their rows, in the same order */

  GtkWidget  *create_button;
  GtkWidget  *title_row;
  GtkWidget  *amount_row;
  GtkWidget  *client_row;
  GtkWidget  *phone_row;
  GtkWidget  *fields_group;
  GtkLabel   *error_label;
};

G_DEFINE_FINAL_TYPE (SdNewDealDialog, sd_new_deal_dialog, ADW_TYPE_WINDOW)

static const char *
text_of (GtkWidget *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static gboolean
is_blank (const char *text)
{
  for (; *text != '\0'; text = g_utf8_next_char (text))
    if (!g_unichar_isspace (g_utf8_get_char (text)))
      return FALSE;
  return TRUE;
}

/* Marks what is wrong and says why; TRUE when the deal can be made. */
static gboolean
validate (SdNewDealDialog *self)
{
  const char *problem = NULL;
  gint64 amount;

  gtk_widget_remove_css_class (self->amount_row, "error");
  gtk_widget_remove_css_class (self->phone_row, "error");
  if (*text_of (self->amount_row) != '\0' && !sd_money_parse (text_of (self->amount_row), &amount))
    {
      gtk_widget_add_css_class (self->amount_row, "error");
      problem = _("The amount must be a sum of money, not below zero, like 125000 or 125 000,50");
    }
  else if (*text_of (self->phone_row) != '\0' && !sd_text_looks_like_phone (text_of (self->phone_row)))
    {
      gtk_widget_add_css_class (self->phone_row, "error");
      problem = _("This does not look like a phone number");
    }
  gtk_label_set_text (self->error_label, problem != NULL ? problem : "");
  return problem == NULL && !is_blank (text_of (self->title_row))
         && !is_blank (text_of (self->client_row));
}

static void
on_changed (SdNewDealDialog *self)
{
  gtk_widget_set_sensitive (self->create_button, validate (self));
}

static gint64
create_deal (SdNewDealDialog  *self,
             GError          **error)
{
  g_autoptr(SdChanges) contact = sd_changes_new ();
  g_autoptr(SdChanges) deal = sd_changes_new ();
  g_autofree char *client = g_strstrip (g_strdup (text_of (self->client_row)));
  g_autofree char *title = g_strstrip (g_strdup (text_of (self->title_row)));
  g_auto(GStrv) names = g_strsplit (client, " ", 2);
  gint64 actor = sd_store_get_actor (self->store);
  gint64 amount = 0, contact_id, deal_id;

  if (*text_of (self->amount_row) != '\0')
    sd_money_parse (text_of (self->amount_row), &amount);

  /* "Иванова Анна" is a surname and a first name; one word is a first name. */
  if (names[1] != NULL)
    {
      sd_changes_set_text (contact, "last_name", names[0]);
      sd_changes_set_text (contact, "first_name", g_strstrip (names[1]));
    }
  else
    sd_changes_set_text (contact, "first_name", names[0]);
  if ((contact_id = sd_store_insert (self->store, SD_ENTITY_CONTACT, contact, error)) <= 0)
    return 0;
  if (*text_of (self->phone_row) != '\0')
    {
      g_autoptr(SdChanges) phone = sd_changes_new ();

      sd_changes_set_int (phone, "contact_id", contact_id);
      sd_changes_set_text (phone, "kind", "phone");
      sd_changes_set_text (phone, "value", text_of (self->phone_row));
      if (sd_store_insert (self->store, SD_ENTITY_CONTACT_CHANNEL, phone, error) <= 0)
        return 0;
    }

  sd_changes_set_text (deal, "title", title);
  sd_changes_set_int (deal, "pipeline_id", self->pipeline_id);
  sd_changes_set_int (deal, "stage_id", self->stage_id);
  sd_changes_set_int (deal, "amount", amount);
  sd_changes_set_int (deal, "contact_id", contact_id);
  if (actor != SD_ACTOR_SYSTEM)
    sd_changes_set_int (deal, "created_by", actor);
  if ((deal_id = sd_store_insert (self->store, SD_ENTITY_DEAL, deal, error)) <= 0)
    return 0;

  if (actor != SD_ACTOR_SYSTEM)
    {
      g_autoptr(SdChanges) responsible = sd_changes_new ();

      sd_changes_set_int (responsible, "deal_id", deal_id);
      sd_changes_set_int (responsible, "user_id", actor);
      sd_changes_set_text (responsible, "part", "main");
      if (sd_store_insert (self->store, SD_ENTITY_DEAL_RESPONSIBLE, responsible, error) <= 0)
        return 0;
    }
  for (guint i = 0; i < self->fields->len; i++)
    {
      SdCustomField *field = self->fields->pdata[i];
      guint selected = adw_combo_row_get_selected (self->combos->pdata[i]);
      g_autoptr(SdChanges) value = sd_changes_new ();

      if (selected >= field->options->len)
        continue;
      sd_changes_set_int (value, "deal_id", deal_id);
      sd_changes_set_int (value, "field_id", field->id);
      sd_changes_set_text (value, "value",
                           ((SdFieldOption *) field->options->pdata[selected])->code);
      if (sd_store_insert (self->store, SD_ENTITY_DEAL_FIELD, value, error) <= 0)
        return 0;
    }
  return deal_id;
}

gint64
sd_new_deal_dialog_save (SdNewDealDialog  *self,
                         GError          **error)
{
  gint64 deal_id;

  g_return_val_if_fail (SD_IS_NEW_DEAL_DIALOG (self), 0);

  if (!validate (self))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           *gtk_label_get_text (self->error_label) != '\0'
                           ? gtk_label_get_text (self->error_label)
                           : _("A deal needs a title and a client; a new contact is made for the client."));
      return 0;
    }
  if (!sd_store_begin (self->store, error))
    return 0;
  if ((deal_id = create_deal (self, error)) == 0)
    {
      sd_store_rollback (self->store);
      return 0;
    }
  return sd_store_commit (self->store, error) ? deal_id : 0;
}

static void
on_create (SdNewDealDialog *self)
{
  g_autoptr(GError) error = NULL;

  if (sd_new_deal_dialog_save (self, &error) != 0)
    {
      gtk_window_close (GTK_WINDOW (self));
      return;
    }
  /* Nothing typed is lost: the dialog stays with the reason. */
  gtk_label_set_text (self->error_label, error->message);
}

static void
sd_new_deal_dialog_dispose (GObject *object)
{
  SdNewDealDialog *self = SD_NEW_DEAL_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SD_TYPE_NEW_DEAL_DIALOG);
  g_clear_object (&self->store);
  g_clear_pointer (&self->fields, g_ptr_array_unref);
  g_clear_pointer (&self->combos, g_ptr_array_unref);
  G_OBJECT_CLASS (sd_new_deal_dialog_parent_class)->dispose (object);
}

static void
sd_new_deal_dialog_class_init (SdNewDealDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = sd_new_deal_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/sdelka/Sdelka/pipeline/sd-new-deal-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SdNewDealDialog, create_button);
  gtk_widget_class_bind_template_child (widget_class, SdNewDealDialog, title_row);
  gtk_widget_class_bind_template_child (widget_class, SdNewDealDialog, amount_row);
  gtk_widget_class_bind_template_child (widget_class, SdNewDealDialog, client_row);
  gtk_widget_class_bind_template_child (widget_class, SdNewDealDialog, phone_row);
  gtk_widget_class_bind_template_child (widget_class, SdNewDealDialog, fields_group);
  gtk_widget_class_bind_template_child (widget_class, SdNewDealDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_create);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
sd_new_deal_dialog_init (SdNewDealDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->combos = g_ptr_array_new ();
}

GtkWidget *
sd_new_deal_dialog_new (SdStore  *store,
                        gint64    pipeline_id,
                        GError  **error)
{
  g_autoptr(GPtrArray) stages = NULL;
  g_autoptr(GPtrArray) fields = NULL;
  SdNewDealDialog *self;
  gint64 stage_id = 0;

  g_return_val_if_fail (SD_IS_STORE (store), NULL);

  stages = sd_store_list_stages (store, pipeline_id, error);
  if (stages == NULL)
    return NULL;
  for (guint i = 0; i < stages->len && stage_id == 0; i++)
    {
      SdStage *stage = stages->pdata[i];

      if (sd_store_get_access (store, sd_store_get_actor (store), stage->id) & SD_ACCESS_EDIT)
        stage_id = stage->id;
    }
  if (stage_id == 0)
    {
      g_set_error_literal (error, SD_ACCESS_ERROR, SD_ACCESS_ERROR_DENIED,
                           _("Your role may not create deals in this pipeline"));
      return NULL;
    }
  fields = sd_store_list_custom_fields (store, pipeline_id, error);
  if (fields == NULL)
    return NULL;

  self = g_object_new (SD_TYPE_NEW_DEAL_DIALOG, NULL);
  self->store = g_object_ref (store);
  self->pipeline_id = pipeline_id;
  self->stage_id = stage_id;
  self->fields = g_ptr_array_new_with_free_func ((GDestroyNotify) sd_custom_field_free);
  for (guint i = 0; i < fields->len;)
    {
      SdCustomField *field = fields->pdata[i];
      g_autoptr(GtkStringList) labels = NULL;
      GtkWidget *row;

      if (!field->required || g_strcmp0 (field->kind, "list") != 0)
        {
          i++;
          continue;
        }
      labels = gtk_string_list_new (NULL);
      for (guint o = 0; o < field->options->len; o++)
        gtk_string_list_append (labels, ((SdFieldOption *) field->options->pdata[o])->label);
      row = adw_combo_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), field->name);
      adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (labels));
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->fields_group), row);
      g_ptr_array_add (self->combos, row);
      g_ptr_array_add (self->fields, g_ptr_array_steal_index (fields, i));
    }
  gtk_widget_set_visible (self->fields_group, self->fields->len > 0);
  return GTK_WIDGET (self);
}
