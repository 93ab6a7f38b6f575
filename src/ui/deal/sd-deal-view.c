/* sd-deal-view.c: a deal's card: its fields, client, people, payments and timeline.
 *
 * Every edit goes through the store (which checks the acting user's rights and journals
 * it); what a check refuses stays in its row, marked, so nothing typed is lost. The
 * timeline is the deal's journal read back; undo applies the last edit's old values.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "sd-deal-view"

#include "config.h"

#include "sd-deal-view.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "sd-deal-parts.h"
#include "sd-party-picker.h"
#include "sd-money.h"
#include "sd-records.h"
#include "sd-store-sync.h"
#include "sd-text.h"
#include "sd-ui-format.h"

#define TIMELINE_LINES 50

struct _SdDealView
{
  GtkWidget   parent_instance;

  SdStore    *store;
  SdDeal     *deal;
  gboolean    may_edit;
  gint64      undo_entry;   /* the journal entry of this card's last edit, 0 if none */
  gint64      last_entry;   /* the newest journal entry when the card last looked */
  GPtrArray  *timeline;     /* char * */
  GPtrArray  *fields;       /* SdCustomField of the deal's pipeline */
  GPtrArray  *users;        /* SdUser: who can be made responsible */
  guint       refresh_id;
  gboolean    rebuild_pending;  /* the next refresh rebuilds every group */

  GtkLabel   *heading;
  GtkWidget  *groups;
  GtkWidget  *people_group;
  GtkWidget  *payments_group;
  GtkWidget  *timeline_group;
  GtkWidget  *conflicts_group;  /* NULL when the deal has no open conflict */
  GPtrArray  *deal_rows;        /* the editable rows of the deal's own columns */
};

enum {
  CLOSE,
  MESSAGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SdDealView, sd_deal_view, GTK_TYPE_WIDGET)

static void rebuild (SdDealView *self);
static void on_store_changed (SdDealView *self);
static void refresh_live_groups (SdDealView *self);

static void
report (SdDealView *self,
        const char *text)
{
  g_signal_emit (self, signals[MESSAGE], 0, text);
}

/* The newest journal entry of the deal, 0 if none. */
static gint64
newest_entry (SdDealView *self)
{
  g_autoptr(GPtrArray) entries = sd_store_list_journal (self->store, self->last_entry,
                                                        self->deal->id, 10000, NULL);

  if (entries == NULL || entries->len == 0)
    return self->last_entry;
  return ((SdJournalEntry *) g_ptr_array_index (entries, entries->len - 1))->id;
}

/* After a write of this card: it is what Ctrl+Z takes back. */
static void
remember_edit (SdDealView *self)
{
  self->undo_entry = newest_entry (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "deal.undo", self->undo_entry != 0);
}

static gboolean
write_changes (SdDealView  *self,
               SdEntity     entity,
               gint64       id,
               SdChanges   *changes,
               GError     **error)
{
  gboolean ok;

  if (id == 0)
    ok = sd_store_insert (self->store, entity, changes, error) > 0;
  else
    ok = sd_store_update (self->store, entity, id, changes, error);
  if (ok)
    remember_edit (self);
  return ok;
}

/* Reads @text as the value of @field; FALSE with a message people understand if it is
 * not one. */
static gboolean
parse_field (const char  *field,
             const char  *text,
             SdChanges   *changes,
             GError     **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));

  if (g_str_equal (field, "title"))
    {
      if (*trimmed == '\0')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("A deal needs a title"));
          return FALSE;
        }
      sd_changes_set_text (changes, field, trimmed);
      return TRUE;
    }
  if (g_str_equal (field, "amount"))
    {
      gint64 amount;

      if (*trimmed == '\0')
        amount = 0;
      else if (!sd_money_parse (trimmed, &amount))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("The amount must be a sum of money, not below zero, like 125000 or 125 000,50"));
          return FALSE;
        }
      sd_changes_set_int (changes, field, amount);
      return TRUE;
    }
  if (g_str_equal (field, "next_contact_on") || g_str_equal (field, "measurement_at"))
    {
      gboolean with_time = g_str_equal (field, "measurement_at");
      g_autofree char *iso = NULL;
      g_autoptr(GDateTime) parsed = NULL;
      g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

      if (*trimmed == '\0')
        {
          sd_changes_set_null (changes, field);
          return TRUE;
        }
      /* "2026-03-12" or "2026-03-12 14:30" */
      iso = g_strdup_printf ("%s%s", trimmed,
                             strlen (trimmed) == 10 ? "T00:00:00" : ":00");
      g_strdelimit (iso, " ", 'T');
      parsed = g_date_time_new_from_iso8601 (iso, utc);
      if (parsed == NULL || (!with_time && strlen (trimmed) != 10))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       with_time ? _("Write the date and time as 2026-03-12 14:30")
                                 : _("Write the date as 2026-03-12"));
          return FALSE;
        }
      if (with_time)
        {
          g_autofree char *value = g_date_time_format (parsed, "%Y-%m-%dT%H:%M:%S");

          sd_changes_set_text (changes, field, value);
        }
      else
        sd_changes_set_text (changes, field, trimmed);
      return TRUE;
    }
  if (*trimmed == '\0')
    sd_changes_set_null (changes, field);
  else
    sd_changes_set_text (changes, field, trimmed);
  return TRUE;
}

gboolean
sd_deal_view_save (SdDealView  *self,
                   const char  *field,
                   const char  *text,
                   GError     **error)
{
  g_autoptr(SdChanges) changes = sd_changes_new ();

  g_return_val_if_fail (SD_IS_DEAL_VIEW (self), FALSE);
  g_return_val_if_fail (self->deal != NULL, FALSE);

  if (!parse_field (field, text, changes, error))
    return FALSE;
  return write_changes (self, SD_ENTITY_DEAL, self->deal->id, changes, error);
}

/* Shows what a check said on the row and keeps the row's text; clears it on success. */
static void
mark_row (SdDealView  *self,
          GtkWidget   *row,
          GError      *error)
{
  if (error == NULL)
    {
      gtk_widget_remove_css_class (row, "error");
      gtk_widget_set_tooltip_text (row, NULL);
      return;
    }
  gtk_widget_add_css_class (row, "error");
  gtk_widget_set_tooltip_text (row, error->message);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, error->message, -1);
  report (self, error->message);
}

static void
on_deal_row_apply (AdwEntryRow *row,
                   SdDealView  *self)
{
  g_autoptr(GError) error = NULL;
  const char *field = g_object_get_data (G_OBJECT (row), "field");

  sd_deal_view_save (self, field, gtk_editable_get_text (GTK_EDITABLE (row)), &error);
  mark_row (self, GTK_WIDGET (row), error);
}

/* A contact channel (phone, e-mail) or the company's INN: checked, then saved. */
static void
on_party_row_apply (AdwEntryRow *row,
                    SdDealView  *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SdChanges) changes = sd_changes_new ();
  const char *kind = g_object_get_data (G_OBJECT (row), "kind");
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "row-id"));
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  if (g_str_equal (kind, "inn"))
    {
      if (*text != '\0' && !sd_text_inn_is_valid (text))
        g_set_error (&error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     _("This INN is not valid: it has 10 or 12 digits and its check digits must match"));
      else
        {
          sd_changes_set_text (changes, "inn", text);
          write_changes (self, SD_ENTITY_COMPANY, self->deal->company_id, changes, &error);
        }
    }
  else
    {
      gboolean phone = g_str_equal (kind, "phone");

      if (phone ? !sd_text_looks_like_phone (text) : !sd_text_email_is_valid (text))
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                             phone ? _("This does not look like a phone number")
                                   : _("This does not look like an e-mail address"));
      else
        {
          if (id == 0)
            {
              sd_changes_set_int (changes, "contact_id", self->deal->contact_id);
              sd_changes_set_text (changes, "kind", kind);
            }
          sd_changes_set_text (changes, "value", text);
          if (write_changes (self, SD_ENTITY_CONTACT_CHANNEL, id, changes, &error) && id == 0)
            refresh_live_groups (self);
        }
    }
  mark_row (self, GTK_WIDGET (row), error);
}

static void
on_custom_field_changed (GObject    *object,
                         GParamSpec *pspec,
                         SdDealView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SdChanges) changes = sd_changes_new ();
  SdCustomField *field = g_object_get_data (object, "custom-field");
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (object, "row-id"));
  const char *value = NULL;
  g_autofree char *text = NULL;

  if (GTK_IS_SWITCH (object))
    value = gtk_switch_get_active (GTK_SWITCH (object)) ? "1" : "0";
  else if (ADW_IS_COMBO_ROW (object))
    {
      guint selected = adw_combo_row_get_selected (ADW_COMBO_ROW (object));

      /* Row 0 is "Not set". */
      if (selected != GTK_INVALID_LIST_POSITION && selected > 0)
        value = ((SdFieldOption *) field->options->pdata[selected - 1])->code;
    }
  else
    {
      text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (object))));
      value = *text != '\0' ? text : NULL;
    }

  if (id == 0)
    {
      sd_changes_set_int (changes, "deal_id", self->deal->id);
      sd_changes_set_int (changes, "field_id", field->id);
    }
  if (value != NULL)
    sd_changes_set_text (changes, "value", value);
  else
    sd_changes_set_null (changes, "value");
  if (write_changes (self, SD_ENTITY_DEAL_FIELD, id, changes, &error) && id == 0)
    {
      g_autoptr(GPtrArray) values = sd_store_list_deal_parts (self->store, SD_DEAL_PART_FIELDS,
                                                              self->deal->id, NULL);

      for (guint i = 0; values != NULL && i < values->len; i++)
        if (((SdDealPart *) values->pdata[i])->ref == field->id)
          g_object_set_data (object, "row-id",
                             GSIZE_TO_POINTER (((SdDealPart *) values->pdata[i])->id));
    }
  mark_row (self, GTK_WIDGET (object), error);
}

static void
on_mark_paid (GtkButton  *button,
              SdDealView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SdChanges) changes = sd_changes_new ();
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_local (sd_store_now (self->store));
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (button), "row-id"));

  sd_changes_set_text (changes, "status", "paid");
  sd_changes_set_text (changes, "due_on", today);
  if (!write_changes (self, SD_ENTITY_PAYMENT, id, changes, &error))
    report (self, error->message);
}

static void
on_add_payment (AdwEntryRow *row,
                SdDealView  *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SdChanges) changes = sd_changes_new ();
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_local (sd_store_now (self->store));
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  gint64 amount;

  if (!sd_money_parse (gtk_editable_get_text (GTK_EDITABLE (row)), &amount) || amount <= 0)
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         _("A payment is a sum of money above zero"));
  else
    {
      sd_changes_set_int (changes, "deal_id", self->deal->id);
      sd_changes_set_int (changes, "amount", amount);
      sd_changes_set_text (changes, "currency", self->deal->currency);
      sd_changes_set_text (changes, "status", "planned");
      sd_changes_set_text (changes, "due_on", today);
      if (write_changes (self, SD_ENTITY_PAYMENT, 0, changes, &error))
        gtk_editable_set_text (GTK_EDITABLE (row), "");
    }
  mark_row (self, GTK_WIDGET (row), error);
}

static GtkWidget *
add_group (SdDealView *self,
           const char *title)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  gtk_box_append (GTK_BOX (self->groups), group);
  return group;
}

static GtkWidget *
add_info_row (GtkWidget  *group,
              const char *title,
              const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle != NULL ? subtitle : "—");
  gtk_widget_add_css_class (row, "property");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return row;
}

static GtkWidget *
add_entry_row (SdDealView *self,
               GtkWidget  *group,
               const char *title,
               const char *text,
               GCallback   on_apply)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
  gtk_widget_set_sensitive (row, self->may_edit);
  g_signal_connect (row, "apply", on_apply, self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return row;
}

static GtkWidget *
add_deal_row (SdDealView *self,
              GtkWidget  *group,
              const char *title,
              const char *field,
              const char *text)
{
  GtkWidget *row = add_entry_row (self, group, title, text, G_CALLBACK (on_deal_row_apply));

  g_object_set_data_full (G_OBJECT (row), "field", g_strdup (field), g_free);
  g_ptr_array_add (self->deal_rows, row);
  return row;
}

/* What a deal row shows of @field: what sd_deal_view_save() reads back. */
static char *
deal_row_text (const SdDeal *deal,
               const char   *field)
{
  if (g_str_equal (field, "title"))
    return g_strdup (deal->title);
  if (g_str_equal (field, "amount"))
    {
      /* Kopecks only when there are any. */
      if (deal->amount % 100 == 0)
        return g_strdup_printf ("%" G_GINT64_FORMAT, deal->amount / 100);
      return g_strdup_printf ("%" G_GINT64_FORMAT ",%02d", deal->amount / 100,
                              (int) (deal->amount % 100));
    }
  if (g_str_equal (field, "next_contact_on"))
    return g_strdup (deal->next_contact_on);
  if (g_str_equal (field, "comments"))
    return g_strdup (deal->comments);
  return NULL;
}

/* Someone else changed the deal (the portal, through a sync): a row the user has not
 * touched takes the new value; a row with an edit in progress keeps what was typed. */
static void
update_deal_rows (SdDealView   *self,
                  const SdDeal *old,
                  const SdDeal *deal)
{
  for (guint i = 0; i < self->deal_rows->len; i++)
    {
      GtkWidget *row = self->deal_rows->pdata[i];
      const char *field = g_object_get_data (G_OBJECT (row), "field");
      g_autofree char *before = deal_row_text (old, field);
      g_autofree char *after = deal_row_text (deal, field);

      if (g_strcmp0 (before, after) == 0
          || g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (row)), before != NULL ? before : "") != 0)
        continue;
      /* Not an edit of the user's: no apply button for it. */
      adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), FALSE);
      gtk_editable_set_text (GTK_EDITABLE (row), after != NULL ? after : "");
      adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
    }
}

/* Where a deal came from, as the portal's source codes name it. */
static const char *
source_label (const char *source)
{
  if (g_strcmp0 (source, "call") == 0)
    return _("Phone call");
  if (g_strcmp0 (source, "web_form") == 0)
    return _("Web form");
  return source;
}

static void
add_main_group (SdDealView *self)
{
  GtkWidget *group = add_group (self, _("Deal"));
  /* What sd_money_parse() reads back. */
  g_autofree char *amount = deal_row_text (self->deal, "amount");

  add_deal_row (self, group, _("Title"), "title", self->deal->title);
  add_info_row (group, _("Stage"), self->deal->stage_name);
  add_deal_row (self, group, _("Amount"), "amount", amount);
  add_deal_row (self, group, _("Next contact (YYYY-MM-DD)"), "next_contact_on",
                self->deal->next_contact_on);
  add_info_row (group, _("Source"), source_label (self->deal->source));
  add_deal_row (self, group, _("Comments"), "comments", self->deal->comments);
}

gboolean
sd_deal_view_set_party (SdDealView  *self,
                        SdEntity     entity,
                        gint64       id,
                        GError     **error)
{
  g_autoptr(SdChanges) changes = sd_changes_new ();

  g_return_val_if_fail (SD_IS_DEAL_VIEW (self), FALSE);
  g_return_val_if_fail (entity == SD_ENTITY_CONTACT || entity == SD_ENTITY_COMPANY, FALSE);
  g_return_val_if_fail (self->deal != NULL, FALSE);

  sd_changes_set_int (changes, entity == SD_ENTITY_CONTACT ? "contact_id" : "company_id", id);
  if (!write_changes (self, SD_ENTITY_DEAL, self->deal->id, changes, error))
    return FALSE;
  /* The client's rows show another contact or company now; they are rebuilt once the
   * picker that asked for this (inside them) is done. */
  self->rebuild_pending = TRUE;
  on_store_changed (self);
  return TRUE;
}

static void
on_party_picked (SdPartyPicker *picker,
                 gint64         id,
                 SdDealView    *self)
{
  g_autoptr(GError) error = NULL;
  SdEntity entity = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (picker), "entity"));

  if (!sd_deal_view_set_party (self, entity, id, &error))
    report (self, error->message);
}

/* A row naming the deal's contact or company, with a button to pick or make another. */
static void
add_party_row (SdDealView *self,
               GtkWidget  *group,
               SdEntity    entity,
               const char *name)
{
  gboolean contact = entity == SD_ENTITY_CONTACT;
  GtkWidget *row = add_info_row (group, contact ? _("Contact") : _("Company"), name);
  GtkWidget *button = gtk_menu_button_new ();
  GtkWidget *picker = sd_party_picker_new (self->store, entity);

  g_object_set_data (G_OBJECT (picker), "entity", GUINT_TO_POINTER (entity));
  g_signal_connect (picker, "picked", G_CALLBACK (on_party_picked), self);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), picker);
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "edit-find-replace-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_sensitive (button, self->may_edit);
  gtk_widget_set_tooltip_text (button, contact ? _("Choose or make another contact")
                                               : _("Choose or make another company"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  contact ? _("Choose or make another contact")
                                          : _("Choose or make another company"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
}

static void
add_party_rows (SdDealView *self)
{
  GtkWidget *group = add_group (self, _("Client"));
  g_autoptr(GPtrArray) channels = NULL;
  const char *kinds[] = { "phone", "email" };
  const char *titles[] = { N_("Phone"), N_("E-mail") };

  add_party_row (self, group, SD_ENTITY_CONTACT, self->deal->contact_name);
  if (self->deal->contact_id != 0)
    {
      channels = sd_store_list_deal_parts (self->store, SD_DEAL_PART_CHANNELS, self->deal->id,
                                           NULL);
      for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
        {
          SdDealPart *found = NULL;
          GtkWidget *row;

          for (guint i = 0; channels != NULL && i < channels->len && found == NULL; i++)
            if (g_strcmp0 (((SdDealPart *) channels->pdata[i])->name, kinds[k]) == 0)
              found = channels->pdata[i];
          row = add_entry_row (self, group, _(titles[k]), found ? found->value : NULL,
                               G_CALLBACK (on_party_row_apply));
          g_object_set_data (G_OBJECT (row), "kind", (gpointer) kinds[k]);
          g_object_set_data (G_OBJECT (row), "row-id", GSIZE_TO_POINTER (found ? found->id : 0));
        }
    }
  add_party_row (self, group, SD_ENTITY_COMPANY, self->deal->company_title);
  if (self->deal->company_id != 0)
    {
      g_autofree char *inn = sd_store_get_company_inn (self->store, self->deal->company_id);
      GtkWidget *row = add_entry_row (self, group, _("INN"), inn, G_CALLBACK (on_party_row_apply));

      g_object_set_data (G_OBJECT (row), "kind", (gpointer) "inn");
    }
}

static const char *
part_label (const char *part)
{
  if (g_strcmp0 (part, "main") == 0)
    return _("Main responsible");
  if (g_strcmp0 (part, "before_order") == 0)
    return _("Before the order");
  if (g_strcmp0 (part, "after_order") == 0)
    return _("After the order");
  return part;
}

static void
on_responsible_changed (AdwComboRow *row,
                        GParamSpec  *pspec,
                        SdDealView  *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SdChanges) changes = sd_changes_new ();
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "row-id"));
  guint selected = adw_combo_row_get_selected (row);

  if (self->users == NULL || selected >= self->users->len)
    return;
  sd_changes_set_int (changes, "user_id", ((SdUser *) self->users->pdata[selected])->id);
  write_changes (self, SD_ENTITY_DEAL_RESPONSIBLE, id, changes, &error);
  mark_row (self, GTK_WIDGET (row), error);
}

/* A row a part ("before the order"), naming who has it; another person can be chosen. */
static void
fill_people (SdDealView *self)
{
  g_autoptr(GPtrArray) people = sd_store_list_deal_parts (self->store, SD_DEAL_PART_RESPONSIBLES,
                                                          self->deal->id, NULL);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  if (self->users == NULL)
    self->users = sd_store_list_users (self->store, NULL);
  for (guint u = 0; self->users != NULL && u < self->users->len; u++)
    gtk_string_list_append (names, ((SdUser *) self->users->pdata[u])->full_name);

  for (guint i = 0; people != NULL && i < people->len; i++)
    {
      SdDealPart *person = people->pdata[i];
      GtkWidget *row = adw_combo_row_new ();
      GtkWidget *avatar = adw_avatar_new (32, person->name, TRUE);
      guint selected = GTK_INVALID_LIST_POSITION;

      for (guint u = 0; self->users != NULL && u < self->users->len; u++)
        if (((SdUser *) self->users->pdata[u])->id == person->ref)
          selected = u;
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), part_label (person->value));
      adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (names));
      adw_combo_row_set_selected (ADW_COMBO_ROW (row), selected);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), avatar);
      gtk_widget_set_sensitive (row, self->may_edit);
      g_object_set_data (G_OBJECT (row), "row-id", GSIZE_TO_POINTER (person->id));
      g_signal_connect (row, "notify::selected", G_CALLBACK (on_responsible_changed), self);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->people_group), row);
    }
}

static void
add_fields_group (SdDealView *self)
{
  g_autoptr(GPtrArray) values = sd_store_list_deal_parts (self->store, SD_DEAL_PART_FIELDS,
                                                          self->deal->id, NULL);
  GtkWidget *group;

  if (self->fields == NULL || self->fields->len == 0)
    return;
  group = add_group (self, _("Fields"));
  for (guint i = 0; i < self->fields->len; i++)
    {
      SdCustomField *field = self->fields->pdata[i];
      SdDealPart *value = NULL;
      GtkWidget *row;

      for (guint v = 0; values != NULL && v < values->len && value == NULL; v++)
        if (((SdDealPart *) values->pdata[v])->ref == field->id)
          value = values->pdata[v];

      if (g_strcmp0 (field->kind, "list") == 0)
        {
          g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
          guint selected = 0;

          gtk_string_list_append (labels, _("Not set"));
          for (guint o = 0; o < field->options->len; o++)
            {
              SdFieldOption *option = field->options->pdata[o];

              gtk_string_list_append (labels, option->label);
              if (value != NULL && g_strcmp0 (value->value, option->code) == 0)
                selected = o + 1;
            }
          row = adw_combo_row_new ();
          adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (labels));
          adw_combo_row_set_selected (ADW_COMBO_ROW (row), selected);
          g_signal_connect (row, "notify::selected", G_CALLBACK (on_custom_field_changed), self);
        }
      else if (g_strcmp0 (field->kind, "bool") == 0)
        {
          GtkWidget *toggle = gtk_switch_new ();

          row = adw_action_row_new ();
          gtk_switch_set_active (GTK_SWITCH (toggle), value != NULL && g_strcmp0 (value->value, "1") == 0);
          gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
          adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
          gtk_accessible_update_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          field->name, -1);
          g_object_set_data (G_OBJECT (toggle), "custom-field", field);
          g_object_set_data (G_OBJECT (toggle), "row-id", GSIZE_TO_POINTER (value ? value->id : 0));
          g_signal_connect (toggle, "notify::active", G_CALLBACK (on_custom_field_changed), self);
        }
      else
        {
          row = adw_entry_row_new ();
          gtk_editable_set_text (GTK_EDITABLE (row), value && value->value ? value->value : "");
          adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
          g_signal_connect (row, "apply", G_CALLBACK (on_custom_field_changed), self);
        }
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), field->name);
      gtk_widget_set_sensitive (row, self->may_edit);
      g_object_set_data (G_OBJECT (row), "custom-field", field);
      g_object_set_data (G_OBJECT (row), "row-id", GSIZE_TO_POINTER (value ? value->id : 0));
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
    }
}

static void
add_answers_and_measurement (SdDealView *self)
{
  g_autoptr(GPtrArray) answers = sd_store_list_deal_parts (self->store, SD_DEAL_PART_ANSWERS,
                                                           self->deal->id, NULL);
  g_autofree char *measured = NULL;
  GtkWidget *group;

  group = add_group (self, _("Measurement"));
  if (self->deal->measurement_at != NULL)
    {
      measured = g_strndup (self->deal->measurement_at, 16);
      g_strdelimit (measured, "T", ' ');
    }
  add_deal_row (self, group, _("Date and time (YYYY-MM-DD HH:MM)"), "measurement_at", measured);
  add_deal_row (self, group, _("Address"), "measurement_address",
                self->deal->measurement_address);

  if (answers == NULL || answers->len == 0)
    return;
  group = add_group (self, _("Questionnaire"));
  for (guint i = 0; i < answers->len; i++)
    {
      SdDealPart *answer = answers->pdata[i];

      add_info_row (group, answer->name, answer->value);
    }
}

static void
fill_payments (SdDealView *self)
{
  g_autoptr(GPtrArray) payments = sd_store_list_deal_parts (self->store, SD_DEAL_PART_PAYMENTS,
                                                            self->deal->id, NULL);
  g_autofree char *paid = sd_money_format (self->deal->paid, self->deal->currency);
  g_autofree char *left = sd_money_format (sd_deal_get_left_to_pay (self->deal),
                                           self->deal->currency);
  g_autofree char *summary = NULL;
  GtkWidget *row;

  /* TRANSLATORS: the payments of a deal: "Paid 100 000 ₽, left to pay 25 000 ₽" */
  summary = g_strdup_printf (_("Paid %s, left to pay %s"), paid, left);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->payments_group), summary);

  for (guint i = 0; payments != NULL && i < payments->len; i++)
    {
      SdDealPart *payment = payments->pdata[i];
      g_autofree char *amount = sd_money_format (payment->amount, self->deal->currency);
      g_autofree char *date = sd_ui_format_date (payment->value);
      g_autofree char *subtitle = NULL;
      gboolean planned = g_strcmp0 (payment->name, "planned") == 0;

      subtitle = g_strdup_printf (planned ? _("Planned for %s") : _("Paid on %s"),
                                  date != NULL ? date : "—");
      row = add_info_row (self->payments_group, amount, subtitle);
      if (planned)
        {
          GtkWidget *button = gtk_button_new_with_label (_("Mark Paid"));

          gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
          gtk_widget_set_sensitive (button, self->may_edit);
          g_object_set_data (G_OBJECT (button), "row-id", GSIZE_TO_POINTER (payment->id));
          g_signal_connect (button, "clicked", G_CALLBACK (on_mark_paid), self);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
        }
    }
  row = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Add a planned payment, amount"));
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
  gtk_widget_set_sensitive (row, self->may_edit);
  g_signal_connect (row, "apply", G_CALLBACK (on_add_payment), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->payments_group), row);
}

/* "Ivanova Anna" -> "Ivanova": how the timeline names people. */
static char *
surname (const char *full_name)
{
  const char *space;

  if (full_name == NULL)
    return g_strdup (_("the system"));
  space = strchr (full_name, ' ');
  return space != NULL ? g_strndup (full_name, space - full_name) : g_strdup (full_name);
}

static const char *
column_label (const char *column)
{
  static const struct { const char *column; const char *label; } labels[] = {
    { "title", N_("Title") },
    { "amount", N_("Amount") },
    { "next_contact_on", N_("Next contact") },
    { "measurement_at", N_("Measurement") },
    { "measurement_address", N_("Measurement address") },
    { "comments", N_("Comments") },
    { "source", N_("Source") },
    { "value", N_("Value") },
    { "status", N_("Status") },
    { "inn", N_("INN") },
    { "kpp", N_("KPP") },
    { "ogrn", N_("OGRN") },
    { "phone", N_("Phone") },
    { "email", N_("E-mail") },
    { "description", N_("Description") },
    { "deadline", N_("Deadline") },
    { "start_plan", N_("Planned start") },
    { "end_plan", N_("Planned end") },
    { "responsible_id", N_("Responsible") },
    { "needs_acceptance", N_("Needs acceptance") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (labels[i].column, column))
      return _(labels[i].label);
  return NULL;
}

static char *
describe_value (SdDealView *self,
                const char *column,
                JsonNode   *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("—");
  if (g_str_equal (column, "stage_id"))
    return sd_store_describe (self->store, SD_ENTITY_STAGE, json_node_get_int (node));
  if (g_str_equal (column, "amount"))
    return sd_money_format (json_node_get_int (node), self->deal->currency);
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
}

/* A conflict's value (a JSON literal) as the card shows it. */
static char *
describe_conflict_value (SdDealView       *self,
                         const SdConflict *conflict,
                         const char       *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  /* Here the changes the portal refused; there the row's values (SD_CONFLICT_REFUSED). */
  if (g_str_equal (conflict->field, SD_CONFLICT_REFUSED))
    return g_strdup (json == conflict->local_value ? _("The changes made here") : _("As on the portal"));
  if (g_strcmp0 (conflict->entity, "deal_field") == 0 && node != NULL
      && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      SdValue field_id = { 0 };
      const char *code = json_node_get_string (node);
      char *label = NULL;

      /* A list field's option by its label. */
      if (sd_store_read_value (self->store, SD_ENTITY_DEAL_FIELD, conflict->entity_id, "field_id",
                               &field_id, NULL) && field_id.kind == SD_VALUE_NUMBER)
        for (guint i = 0; self->fields != NULL && i < self->fields->len && label == NULL; i++)
          {
            SdCustomField *field = self->fields->pdata[i];

            for (guint o = 0; field->id == field_id.number && o < field->options->len; o++)
              if (g_strcmp0 (((SdFieldOption *) field->options->pdata[o])->code, code) == 0)
                label = g_strdup (((SdFieldOption *) field->options->pdata[o])->label);
          }
      sd_value_clear (&field_id);
      if (label != NULL)
        return label;
    }
  /* A contact's phones or e-mails: the list, one "VALUE\tTYPE" a line, by its values. */
  if (g_str_equal (conflict->entity, "contact") && node != NULL
      && json_node_get_value_type (node) == G_TYPE_STRING
      && (g_str_equal (conflict->field, "phone") || g_str_equal (conflict->field, "email")))
    {
      g_auto(GStrv) lines = g_strsplit (json_node_get_string (node), "\n", -1);
      g_autoptr(GString) text = g_string_new (NULL);

      for (guint i = 0; lines[i] != NULL; i++)
        {
          char *tab = strchr (lines[i], '\t');

          if (tab != NULL)
            *tab = '\0';
          if (*lines[i] != '\0')
            g_string_append_printf (text, "%s%s", text->len > 0 ? ", " : "", lines[i]);
        }
      return g_strdup (text->len > 0 ? text->str : "—");
    }
  if (g_str_equal (conflict->field, SD_CONFLICT_DELETED))
    return g_strdup (node != NULL && json_node_get_int (node) != 0 ? _("Deleted")
                                                                   : _("Kept, with the changes made here"));
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (g_str_equal (conflict->field, "responsible_id"))
        return sd_store_describe (self->store, SD_ENTITY_USER, json_node_get_int (node));
      if (g_str_equal (conflict->field, "contact_id"))
        return sd_store_describe (self->store, SD_ENTITY_CONTACT, json_node_get_int (node));
      if (g_str_equal (conflict->field, "company_id"))
        return sd_store_describe (self->store, SD_ENTITY_COMPANY, json_node_get_int (node));
    }
  return describe_value (self, conflict->field, node);
}

/* The row of the deal's card a conflict is on when it is not the deal: "Comment",
 * "Task “Measure”", "Company"; NULL for the deal and its fields. */
static char *
conflict_subject (SdDealView       *self,
                  const SdConflict *conflict)
{
  if (g_str_equal (conflict->entity, "timeline"))
    return g_strdup (_("Comment"));
  if (g_str_equal (conflict->entity, "task"))
    {
      g_autofree char *title = sd_store_describe (self->store, SD_ENTITY_TASK, conflict->entity_id);

      /* TRANSLATORS: a task a sync conflict is on, by its title */
      return g_strdup_printf (_("Task “%s”"), title != NULL ? title : "");
    }
  if (g_str_equal (conflict->entity, "contact"))
    return g_strdup (_("Contact"));
  if (g_str_equal (conflict->entity, "company"))
    return g_strdup (_("Company"));
  return NULL;
}

/* What the conflict is about: a column of the deal, a custom field's name, or a field of
 * one of the deal's comments, tasks or clients ("Task “Measure”: Deadline"). */
static char *
conflict_field_name (SdDealView       *self,
                     const SdConflict *conflict)
{
  g_autofree char *subject = conflict_subject (self, conflict);
  g_autofree char *field = NULL;
  const char *label;

  if (g_str_equal (conflict->field, SD_CONFLICT_DELETED))
    field = g_strdup (_("Deleted on the portal"));
  else if (g_str_equal (conflict->field, SD_CONFLICT_REFUSED))
    field = g_strdup (_("The portal refused this change: no rights"));
  else if (subject != NULL)
    field = g_strdup (column_label (conflict->field));
  if (subject != NULL)
    /* TRANSLATORS: a field of a row a sync conflict is on: "Task “Measure”: Deadline" */
    return field != NULL ? g_strdup_printf (_("%s: %s"), subject, field) : g_steal_pointer (&subject);
  if (field != NULL)
    return g_steal_pointer (&field);

  if (g_strcmp0 (conflict->entity, "deal_field") == 0)
    {
      SdValue field_id = { 0 };
      char *name = NULL;

      if (sd_store_read_value (self->store, SD_ENTITY_DEAL_FIELD, conflict->entity_id, "field_id",
                               &field_id, NULL) && field_id.kind == SD_VALUE_NUMBER)
        for (guint i = 0; self->fields != NULL && i < self->fields->len && name == NULL; i++)
          if (((SdCustomField *) self->fields->pdata[i])->id == field_id.number)
            name = g_strdup (((SdCustomField *) self->fields->pdata[i])->name);
      sd_value_clear (&field_id);
      if (name != NULL)
        return name;
    }
  if (g_str_equal (conflict->field, "stage_id"))
    return g_strdup (_("Stage"));
  if (g_str_equal (conflict->field, "contact_id"))
    return g_strdup (_("Contact"));
  if (g_str_equal (conflict->field, "company_id"))
    return g_strdup (_("Company"));
  label = column_label (conflict->field);
  return g_strdup (label != NULL ? label : conflict->field);
}

/* Who changed @field of the conflict's row here, and when: the newest local change of it
 * in the deal's journal. */
static void
local_author (SdDealView       *self,
              const SdConflict *conflict,
              char            **out_who,
              char            **out_when)
{
  g_autoptr(GPtrArray) entries = sd_store_list_journal (self->store, 0, self->deal->id, 100000, NULL);
  g_autofree char *needle = g_strdup_printf ("\"%s\"", conflict->field);

  for (guint i = entries != NULL ? entries->len : 0; i > 0; i--)
    {
      SdJournalEntry *entry = entries->pdata[i - 1];

      if (g_strcmp0 (entry->origin, "local") == 0 && g_strcmp0 (entry->entity, conflict->entity) == 0
          && entry->entity_id == conflict->entity_id && entry->changes != NULL
          && strstr (entry->changes, needle) != NULL)
        {
          *out_who = surname (entry->author_name);
          *out_when = sd_ui_format_datetime (entry->at);
          return;
        }
    }
  *out_who = g_strdup (_("you"));
  *out_when = sd_ui_format_datetime (conflict->created_at);
}

static void
on_resolve_clicked (GtkButton  *button,
                    SdDealView *self)
{
  g_autoptr(GError) error = NULL;
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (button), "conflict-id"));
  gboolean keep_local = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "keep-local"));

  if (!sd_store_resolve_conflict (self->store, id, keep_local, &error))
    report (self, error->message);
}

static GtkWidget *
conflict_value_label (const char *text,
                      gboolean    dim)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_hexpand (label, TRUE);
  if (dim)
    {
      gtk_widget_add_css_class (label, "caption");
      gtk_widget_add_css_class (label, "dim-label");
    }
  return label;
}

static GtkWidget *
conflict_row (SdDealView       *self,
              const SdConflict *conflict)
{
  /* A preferences row, so the group puts it in its boxed list. */
  GtkWidget *row = adw_preferences_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *title, *keep, *take;
  g_autofree char *name = conflict_field_name (self, conflict);
  g_autofree char *mine = describe_conflict_value (self, conflict, conflict->local_value);
  g_autofree char *theirs = describe_conflict_value (self, conflict, conflict->remote_value);
  g_autofree char *who = NULL, *when = NULL, *their_who = NULL, *their_when = NULL;
  g_autofree char *mine_by = NULL, *theirs_by = NULL, *description = NULL;

  local_author (self, conflict, &who, &when);
  their_who = conflict->remote_author != NULL ? surname (conflict->remote_author)
                                              : g_strdup (_("someone on the portal"));
  their_when = conflict->remote_at != NULL ? sd_ui_format_datetime (conflict->remote_at)
                                           : g_strdup ("");
  /* TRANSLATORS: who made one side of a conflict and when: "Ivanova, 12 Mar 2026, 12:40" */
  mine_by = g_strdup_printf (_("%s, %s"), who, when);
  /* The portal tells no time of a comment's edit. */
  theirs_by = *their_when != '\0' ? g_strdup_printf (_("%s, %s"), their_who, their_when)
                                   : g_strdup (their_who);

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_add_css_class (box, "sd-conflict-row");
  title = gtk_label_new (name);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  /* A task's title can be long: the card keeps its width. */
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (title), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (title, "heading");
  gtk_box_append (GTK_BOX (box), title);

  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 2);
  {
    GtkWidget *here = gtk_label_new (_("Here"));
    GtkWidget *there = gtk_label_new (_("Portal"));

    gtk_label_set_xalign (GTK_LABEL (here), 0);
    gtk_label_set_xalign (GTK_LABEL (there), 0);
    gtk_widget_add_css_class (here, "dim-label");
    gtk_widget_add_css_class (there, "dim-label");
    gtk_grid_attach (GTK_GRID (grid), here, 0, 0, 1, 1);
    gtk_grid_attach (GTK_GRID (grid), conflict_value_label (mine, FALSE), 1, 0, 1, 1);
    gtk_grid_attach (GTK_GRID (grid), conflict_value_label (mine_by, TRUE), 1, 1, 1, 1);
    gtk_grid_attach (GTK_GRID (grid), there, 0, 2, 1, 1);
    gtk_grid_attach (GTK_GRID (grid), conflict_value_label (theirs, FALSE), 1, 2, 1, 1);
    gtk_grid_attach (GTK_GRID (grid), conflict_value_label (theirs_by, TRUE), 1, 3, 1, 1);
  }
  gtk_box_append (GTK_BOX (box), grid);

  /* A refused change is kept by sending it again. */
  keep = gtk_button_new_with_mnemonic (g_str_equal (conflict->field, SD_CONFLICT_REFUSED) ? _("_Keep Trying")
                                                                                         : _("_Keep Mine"));
  take = gtk_button_new_with_mnemonic (_("_Take the Portal’s"));
  gtk_widget_add_css_class (take, "suggested-action");
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  /* TRANSLATORS: accessible descriptions of a conflict's two buttons; %s is the value */
  description = g_strdup_printf (_("Keep “%s” and send it to the portal"), mine);
  gtk_accessible_update_property (GTK_ACCESSIBLE (keep), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  description, -1);
  g_free (description);
  description = g_strdup_printf (_("Take “%s” from the portal"), theirs);
  gtk_accessible_update_property (GTK_ACCESSIBLE (take), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  description, -1);
  g_object_set_data (G_OBJECT (keep), "conflict-id", GSIZE_TO_POINTER (conflict->id));
  g_object_set_data (G_OBJECT (take), "conflict-id", GSIZE_TO_POINTER (conflict->id));
  g_object_set_data (G_OBJECT (keep), "keep-local", GINT_TO_POINTER (TRUE));
  gtk_widget_set_name (keep, "keep-mine");
  gtk_widget_set_name (take, "take-portal");
  gtk_widget_set_sensitive (keep, self->may_edit);
  gtk_widget_set_sensitive (take, self->may_edit);
  g_signal_connect (keep, "clicked", G_CALLBACK (on_resolve_clicked), self);
  g_signal_connect (take, "clicked", G_CALLBACK (on_resolve_clicked), self);
  gtk_box_append (GTK_BOX (buttons), keep);
  gtk_box_append (GTK_BOX (buttons), take);
  gtk_box_append (GTK_BOX (box), buttons);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  return row;
}

/* The open sync conflicts of the deal, its fields, comments, tasks and clients, at the top
 * of the card. */
static void
refresh_conflicts (SdDealView *self)
{
  g_autoptr(GPtrArray) conflicts = sd_store_list_deal_conflicts (self->store, self->deal->id, NULL);
  GtkWidget *group;

  if (conflicts == NULL || conflicts->len == 0)
    {
      if (self->conflicts_group != NULL)
        gtk_box_remove (GTK_BOX (self->groups), self->conflicts_group);
      self->conflicts_group = NULL;
      return;
    }
  group = adw_preferences_group_new ();
  gtk_widget_set_name (group, "conflicts");
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Sync Conflicts"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         _("These fields were changed both here and on the portal "
                                           "since the last sync. Choose the value to keep."));
  for (guint i = 0; i < conflicts->len; i++)
    adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), conflict_row (self, conflicts->pdata[i]));
  if (self->conflicts_group != NULL)
    {
      gtk_box_insert_child_after (GTK_BOX (self->groups), group, self->conflicts_group);
      gtk_box_remove (GTK_BOX (self->groups), self->conflicts_group);
    }
  else
    gtk_box_prepend (GTK_BOX (self->groups), group);
  self->conflicts_group = group;
}

/* The new value of @column in an insertion's changes, NULL if it has none. */
static const char *
inserted_text (JsonObject *changes,
               const char *column)
{
  JsonArray *pair = json_object_has_member (changes, column)
                    ? json_object_get_array_member (changes, column) : NULL;
  JsonNode *node = pair != NULL && json_array_get_length (pair) == 2
                   ? json_array_get_element (pair, 1) : NULL;

  return node != NULL && json_node_get_value_type (node) == G_TYPE_STRING
         ? json_node_get_string (node) : NULL;
}

static gint64
inserted_int (JsonObject *changes,
              const char *column)
{
  JsonArray *pair = json_object_has_member (changes, column)
                    ? json_object_get_array_member (changes, column) : NULL;
  JsonNode *node = pair != NULL && json_array_get_length (pair) == 2
                   ? json_array_get_element (pair, 1) : NULL;

  return node != NULL && json_node_get_value_type (node) == G_TYPE_INT64
         ? json_node_get_int (node) : 0;
}

/* A row added to the deal: a comment, a call, a payment, a task, a person. */
static char *
describe_insert (SdDealView *self,
                 const char *entity,
                 JsonObject *changes)
{
  if (g_str_equal (entity, "timeline"))
    {
      const char *kind = inserted_text (changes, "kind");
      const char *text = inserted_text (changes, "text");
      const char *label;

      if (g_strcmp0 (kind, "call") == 0)
        label = _("Call");
      else if (g_strcmp0 (kind, "message") == 0)
        label = _("Message");
      else if (g_strcmp0 (kind, "email") == 0)
        label = _("E-mail");
      else if (g_strcmp0 (kind, "automation") == 0)
        label = _("Automation");
      else
        label = _("Comment");
      /* TRANSLATORS: a timeline line: "Comment: Call back after 18:00" */
      return g_strdup_printf (_("%s: %s"), label, text != NULL ? text : "");
    }
  if (g_str_equal (entity, "payment"))
    {
      g_autofree char *amount = sd_money_format (inserted_int (changes, "amount"),
                                                 self->deal->currency);

      return g_strdup_printf (g_strcmp0 (inserted_text (changes, "status"), "paid") == 0
                              ? _("Payment received: %s") : _("Payment planned: %s"), amount);
    }
  if (g_str_equal (entity, "task"))
    {
      const char *title = inserted_text (changes, "title");

      return g_strdup_printf (_("%s: %s"), _("Task"), title != NULL ? title : "");
    }
  if (g_str_equal (entity, "deal_responsible"))
    {
      g_autofree char *name = sd_store_describe (self->store, SD_ENTITY_USER,
                                                 inserted_int (changes, "user_id"));

      return g_strdup_printf (_("%s: %s"), part_label (inserted_text (changes, "part")),
                              name != NULL ? name : "—");
    }
  return NULL;
}

/* "Stage: Measurement → Estimate" for each change an entry made that people care about. */
static char *
describe_entry (SdDealView     *self,
                SdJournalEntry *entry)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) what = g_string_new (NULL);
  JsonObject *changes;
  g_autoptr(GList) members = NULL;

  if (g_str_equal (entry->entity, "deal") && g_str_equal (entry->op, "insert"))
    return g_strdup (_("Deal created"));
  if (!json_parser_load_from_data (parser, entry->changes, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  changes = json_node_get_object (json_parser_get_root (parser));
  if (g_str_equal (entry->op, "insert"))
    return describe_insert (self, entry->entity, changes);
  members = json_object_get_members (changes);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonArray *pair = json_object_get_array_member (changes, l->data);
      const char *label = g_str_equal (l->data, "stage_id") ? _("Stage") : column_label (l->data);
      g_autofree char *old = NULL;
      g_autofree char *new = NULL;

      if (label == NULL || pair == NULL || json_array_get_length (pair) != 2)
        continue;
      old = describe_value (self, l->data, json_array_get_element (pair, 0));
      new = describe_value (self, l->data, json_array_get_element (pair, 1));
      if (what->len > 0)
        g_string_append (what, "; ");
      /* TRANSLATORS: a change on the timeline: "Stage: Measurement → Estimate" */
      g_string_append_printf (what, _("%s: %s → %s"), label, old, new);
    }
  return what->len > 0 ? g_strdup (what->str) : NULL;
}

static void
fill_timeline (SdDealView *self)
{
  g_autoptr(GPtrArray) entries = sd_store_list_journal (self->store, 0, self->deal->id,
                                                        100000, NULL);

  g_ptr_array_set_size (self->timeline, 0);
  for (guint i = entries != NULL ? entries->len : 0; i > 0 && self->timeline->len < TIMELINE_LINES; i--)
    {
      SdJournalEntry *entry = entries->pdata[i - 1];
      g_autofree char *what = describe_entry (self, entry);
      g_autofree char *who = NULL;
      g_autofree char *when = NULL;
      g_autofree char *byline = NULL;

      if (i == entries->len)
        self->last_entry = entry->id;
      if (what == NULL)
        continue;
      who = surname (entry->author_name);
      when = sd_ui_format_datetime (entry->at);
      /* TRANSLATORS: who made a change on the timeline and when: "by Ivanova, 12 Mar 2026, 12:40" */
      byline = g_strdup_printf (_("by %s, %s"), who, when);
      g_ptr_array_add (self->timeline, g_strdup_printf ("%s, %s", what, byline));
      add_info_row (self->timeline_group, what, byline);
    }
}

static GtkWidget *
replace_group (SdDealView *self,
               GtkWidget  *old,
               const char *title)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  if (old != NULL)
    {
      gtk_box_insert_child_after (GTK_BOX (self->groups), group, old);
      gtk_box_remove (GTK_BOX (self->groups), old);
    }
  else
    gtk_box_append (GTK_BOX (self->groups), group);
  return group;
}

/* The groups other people's edits and this card's own change: rebuilt, unlike the
 * editable rows, whose unsaved text must survive. */
static void
refresh_live_groups (SdDealView *self)
{
  g_autoptr(SdDeal) deal = sd_store_get_deal (self->store, self->deal->id, NULL);

  if (deal == NULL)
    return;
  update_deal_rows (self, self->deal, deal);
  g_clear_pointer (&self->deal, sd_deal_free);
  self->deal = g_steal_pointer (&deal);
  gtk_label_set_text (self->heading, self->deal->title);
  self->people_group = replace_group (self, self->people_group, _("Responsible"));
  fill_people (self);
  self->payments_group = replace_group (self, self->payments_group, _("Payments"));
  fill_payments (self);
  self->timeline_group = replace_group (self, self->timeline_group, _("Timeline"));
  fill_timeline (self);
}

static void
clear_groups (SdDealView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->groups)) != NULL)
    gtk_box_remove (GTK_BOX (self->groups), child);
  self->people_group = self->payments_group = self->timeline_group = NULL;
  self->conflicts_group = NULL;
  g_ptr_array_set_size (self->deal_rows, 0);
}

static void
rebuild (SdDealView *self)
{
  gint64 stage_id = self->deal->stage_id;

  clear_groups (self);
  self->may_edit = (sd_store_get_access (self->store, sd_store_get_actor (self->store), stage_id)
                    & SD_ACCESS_EDIT) != 0;
  gtk_label_set_text (self->heading, self->deal->title);
  add_main_group (self);
  add_party_rows (self);
  refresh_live_groups (self);
  add_fields_group (self);
  add_answers_and_measurement (self);
  /* Reading the timeline last keeps it below what people edit. */
  gtk_box_reorder_child_after (GTK_BOX (self->groups), self->timeline_group,
                               gtk_widget_get_last_child (self->groups));
  refresh_conflicts (self);
}

static gboolean
refresh_cb (gpointer user_data)
{
  SdDealView *self = SD_DEAL_VIEW (user_data);

  self->refresh_id = 0;
  if (self->deal != NULL && (self->rebuild_pending || self->last_entry != newest_entry (self)))
    {
      gint64 stage_id = self->deal->stage_id;

      refresh_live_groups (self);
      /* A new stage may bring other rights: the editable rows follow them. */
      if (self->deal->stage_id != stage_id || self->rebuild_pending)
        rebuild (self);
      self->rebuild_pending = FALSE;
    }
  /* Conflicts come and go without a journal entry of their own (a sync records them, a
   * choice settles them): look at them on every change. */
  if (self->deal != NULL)
    refresh_conflicts (self);
  return G_SOURCE_REMOVE;
}

static void
on_store_changed (SdDealView *self)
{
  /* One look after the commit's notifications, however many rows it changed. */
  if (self->deal != NULL && self->refresh_id == 0)
    self->refresh_id = g_idle_add (refresh_cb, self);
}

gboolean
sd_deal_view_load (SdDealView  *self,
                   SdStore     *store,
                   gint64       deal_id,
                   GError     **error)
{
  g_autoptr(SdDeal) deal = NULL;

  g_return_val_if_fail (SD_IS_DEAL_VIEW (self), FALSE);
  g_return_val_if_fail (SD_IS_STORE (store), FALSE);

  deal = sd_store_get_deal (store, deal_id, error);
  if (deal == NULL)
    return FALSE;
  if (!sd_store_check_access (store, deal->stage_id, SD_ACCESS_VIEW, error))
    return FALSE;

  if (self->store != store)
    {
      if (self->store != NULL)
        g_signal_handlers_disconnect_by_data (self->store, self);
      g_set_object (&self->store, store);
      g_signal_connect_object (store, "changed", G_CALLBACK (on_store_changed), self,
                               G_CONNECT_SWAPPED);
    }
  g_clear_pointer (&self->fields, g_ptr_array_unref);
  self->fields = sd_store_list_custom_fields (store, deal->pipeline_id, NULL);
  g_clear_pointer (&self->deal, sd_deal_free);
  self->deal = g_steal_pointer (&deal);
  self->undo_entry = 0;
  self->last_entry = 0;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "deal.undo", FALSE);
  rebuild (self);
  return TRUE;
}

void
sd_deal_view_refresh (SdDealView *self)
{
  g_return_if_fail (SD_IS_DEAL_VIEW (self));

  on_store_changed (self);
}

GtkWidget *
sd_deal_view_get_conflicts (SdDealView *self)
{
  g_return_val_if_fail (SD_IS_DEAL_VIEW (self), NULL);

  return self->conflicts_group;
}

gint64
sd_deal_view_get_deal (SdDealView *self)
{
  g_return_val_if_fail (SD_IS_DEAL_VIEW (self), 0);

  return self->deal != NULL ? self->deal->id : 0;
}

GPtrArray *
sd_deal_view_get_timeline (SdDealView *self)
{
  GPtrArray *lines = g_ptr_array_new ();

  g_return_val_if_fail (SD_IS_DEAL_VIEW (self), lines);

  for (guint i = 0; i < self->timeline->len; i++)
    g_ptr_array_add (lines, self->timeline->pdata[i]);
  return lines;
}

gboolean
sd_deal_view_undo (SdDealView  *self,
                   GError     **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(SdChanges) changes = sd_changes_new ();
  SdJournalEntry *entry;
  SdEntity entity;
  JsonObject *object;
  g_autoptr(GList) members = NULL;
  gboolean ok;

  g_return_val_if_fail (SD_IS_DEAL_VIEW (self), FALSE);

  if (self->deal == NULL || self->undo_entry == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is nothing to undo"));
      return FALSE;
    }
  entries = sd_store_list_journal (self->store, self->undo_entry - 1, self->deal->id, 1, error);
  if (entries == NULL)
    return FALSE;
  entry = entries->len > 0 ? entries->pdata[0] : NULL;
  if (entry == NULL || entry->id != self->undo_entry
      || !sd_entity_from_name (entry->entity, &entity)
      || !json_parser_load_from_data (parser, entry->changes, -1, NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("The last edit can no longer be undone"));
      return FALSE;
    }

  if (g_str_equal (entry->op, "insert"))
    ok = sd_store_delete (self->store, entity, entry->entity_id, error);
  else if (g_str_equal (entry->op, "update"))
    {
      object = json_node_get_object (json_parser_get_root (parser));
      members = json_object_get_members (object);
      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *old = json_array_get_element (json_object_get_array_member (object, l->data), 0);

          if (JSON_NODE_HOLDS_NULL (old))
            sd_changes_set_null (changes, l->data);
          else if (json_node_get_value_type (old) == G_TYPE_STRING)
            sd_changes_set_text (changes, l->data, json_node_get_string (old));
          else
            sd_changes_set_int (changes, l->data, json_node_get_int (old));
        }
      ok = sd_store_update (self->store, entity, entry->entity_id, changes, error);
    }
  else
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("A deletion cannot be undone here"));
      return FALSE;
    }
  if (!ok)
    return FALSE;
  /* Undo puts back one edit; it is not itself undone by the next Ctrl+Z. */
  self->undo_entry = 0;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "deal.undo", FALSE);
  rebuild (self);
  return TRUE;
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SdDealView *self = SD_DEAL_VIEW (widget);
  g_autoptr(GError) error = NULL;

  if (!sd_deal_view_undo (self, &error))
    report (self, error->message);
}

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  g_signal_emit (widget, signals[CLOSE], 0);
}

static void
sd_deal_view_dispose (GObject *object)
{
  SdDealView *self = SD_DEAL_VIEW (object);
  GtkWidget *child;

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), SD_TYPE_DEAL_VIEW);
  /* The template's root box is not a bound child, so it is not unparented for us. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->store);
  g_clear_pointer (&self->deal, sd_deal_free);
  g_clear_pointer (&self->fields, g_ptr_array_unref);
  g_clear_pointer (&self->users, g_ptr_array_unref);
  G_OBJECT_CLASS (sd_deal_view_parent_class)->dispose (object);
}

static void
sd_deal_view_finalize (GObject *object)
{
  SdDealView *self = SD_DEAL_VIEW (object);

  g_ptr_array_unref (self->timeline);
  g_ptr_array_unref (self->deal_rows);
  G_OBJECT_CLASS (sd_deal_view_parent_class)->finalize (object);
}

static void
sd_deal_view_class_init (SdDealViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sd_deal_view_dispose;
  object_class->finalize = sd_deal_view_finalize;

  signals[CLOSE] = g_signal_new ("close", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/sdelka/Sdelka/deal/sd-deal-view.ui");
  gtk_widget_class_bind_template_child (widget_class, SdDealView, heading);
  gtk_widget_class_bind_template_child (widget_class, SdDealView, groups);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);

  gtk_widget_class_install_action (widget_class, "deal.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "deal.close", NULL, close_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK,
                                       "deal.undo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "deal.close", NULL);
}

static void
sd_deal_view_init (SdDealView *self)
{
  self->timeline = g_ptr_array_new_with_free_func (g_free);
  self->deal_rows = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "deal.undo", FALSE);
}

GtkWidget *
sd_deal_view_new (void)
{
  return g_object_new (SD_TYPE_DEAL_VIEW, NULL);
}
