/* b24-disk.c: disk.* as needed to put a file in a folder and read it back (scope "disk").
 *
 * Storages and their folder trees live in disk_storage/disk_object; file contents in the
 * shared file table. disk.folder.uploadfile takes fileContent ["name","base64"], or without
 * it answers {field, uploadUrl} and the multipart POST to that URL stores the file. Every
 * file has a DOWNLOAD_URL (/rest/download.json?token=…) that this server answers by GET.
 *
 * Typing follows the reference (§5, §7.10): the write methods print ID, DELETED_TYPE,
 * GLOBAL_CONTENT_VERSION and FILE_ID as numbers and the rest as strings; the read methods
 * (disk.file.get, disk.folder.get, …) print every value as a string.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-disk.h"
#include "b24-db.h"
#include "b24-envelope.h"
#include "b24-params.h"
#include "b24-server.h"
#include "b24-time.h"

#include <string.h>

#define OBJECT_COLUMNS "ID, TYPE, NAME, PARENT_ID, STORAGE_ID, FILE_ID, SIZE, CREATED_BY, CREATE_TIME, UPDATE_TIME, TOKEN"

static char *
random_hex (void)
{
  g_autofree char *uuid = g_uuid_string_random ();

  return g_compute_checksum_for_string (G_CHECKSUM_SHA1, uuid, -1);
}

static void
set_int_string (JsonObject *object,
                const char *name,
                gint64      value)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, value);

  json_object_set_string_member (object, name, text);
}

static void
set_time (B24Emu     *emu,
          JsonObject *object,
          const char *name,
          gint64      value)
{
  g_autofree char *text = b24_time_format (emu, value);

  json_object_set_string_member (object, name, text);
}

/* "/a/b/c": the names from the storage root down to @id (the root itself left out). */
static char *
object_path (B24Emu *emu,
             gint64  id)
{
  sqlite3_stmt *stmt = b24_db_prepare (emu, "SELECT NAME, PARENT_ID FROM disk_object WHERE ID = ?");
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GString *path = g_string_new (NULL);

  for (guint steps = 0; id > 0 && steps < 1000; steps++)
    {
      gboolean root;

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, id);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        break;
      root = sqlite3_column_type (stmt, 1) == SQLITE_NULL;
      if (!root)
        g_ptr_array_add (names, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
      id = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);
  for (guint i = names->len; i > 0; i--)
    g_string_append_printf (path, "/%s", (char *) names->pdata[i - 1]);
  return g_string_free (path, FALSE);
}

/* One object as the write methods print it; @strings turns every number into a string. */
static JsonObject *
object_json (B24Emu  *emu,
             gint64   id,
             gboolean strings)
{
  sqlite3_stmt *stmt = b24_db_prepare (emu, "SELECT " OBJECT_COLUMNS " FROM disk_object WHERE ID = ?");
  JsonObject *object = NULL;

  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gboolean file = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), "file") == 0;
      gint64 created_by = sqlite3_column_int64 (stmt, 7);
      g_autofree char *path = object_path (emu, id);
      g_autofree char *detail = g_strdup_printf ("%s/company/personal/user/%" G_GINT64_FORMAT "/disk/%s%s", emu->base_url,
                                                 created_by, file ? "file" : "path", path);

      object = json_object_new ();
      if (strings)
        set_int_string (object, "ID", id);
      else
        json_object_set_int_member (object, "ID", id);
      json_object_set_string_member (object, "NAME", (const char *) sqlite3_column_text (stmt, 2));
      json_object_set_null_member (object, "CODE");
      set_int_string (object, "STORAGE_ID", sqlite3_column_int64 (stmt, 4));
      json_object_set_string_member (object, "TYPE", file ? "file" : "folder");
      if (!file)
        set_int_string (object, "REAL_OBJECT_ID", id);
      if (sqlite3_column_type (stmt, 3) == SQLITE_NULL)
        json_object_set_null_member (object, "PARENT_ID");
      else
        set_int_string (object, "PARENT_ID", sqlite3_column_int64 (stmt, 3));
      if (strings)
        json_object_set_string_member (object, "DELETED_TYPE", "0");
      else
        json_object_set_int_member (object, "DELETED_TYPE", 0);
      if (file)
        {
          g_autofree char *url = g_strdup_printf ("%s/rest/download.json?auth=%s&token=disk%%7C%s", emu->base_url,
                                                  (const char *) sqlite3_column_text (stmt, 10),
                                                  (const char *) sqlite3_column_text (stmt, 10));

          if (strings)
            {
              json_object_set_string_member (object, "GLOBAL_CONTENT_VERSION", "1");
              set_int_string (object, "FILE_ID", sqlite3_column_int64 (stmt, 5));
            }
          else
            {
              json_object_set_int_member (object, "GLOBAL_CONTENT_VERSION", 1);
              json_object_set_int_member (object, "FILE_ID", sqlite3_column_int64 (stmt, 5));
            }
          set_int_string (object, "SIZE", sqlite3_column_int64 (stmt, 6));
          set_time (emu, object, "CREATE_TIME", sqlite3_column_int64 (stmt, 8));
          set_time (emu, object, "UPDATE_TIME", sqlite3_column_int64 (stmt, 9));
          json_object_set_null_member (object, "DELETE_TIME");
          set_int_string (object, "CREATED_BY", created_by);
          set_int_string (object, "UPDATED_BY", created_by);
          json_object_set_null_member (object, "DELETED_BY");
          json_object_set_string_member (object, "DOWNLOAD_URL", url);
        }
      else
        {
          set_time (emu, object, "CREATE_TIME", sqlite3_column_int64 (stmt, 8));
          set_time (emu, object, "UPDATE_TIME", sqlite3_column_int64 (stmt, 9));
          json_object_set_null_member (object, "DELETE_TIME");
          set_int_string (object, "CREATED_BY", created_by);
          set_int_string (object, "UPDATED_BY", created_by);
          json_object_set_null_member (object, "DELETED_BY");
        }
      json_object_set_string_member (object, "DETAIL_URL", detail);
    }
  sqlite3_reset (stmt);
  return object;
}

static JsonObject *
storage_json (sqlite3_stmt *stmt)
{
  JsonObject *object = json_object_new ();

  set_int_string (object, "ID", sqlite3_column_int64 (stmt, 0));
  json_object_set_string_member (object, "NAME", (const char *) sqlite3_column_text (stmt, 1));
  json_object_set_null_member (object, "CODE");
  json_object_set_string_member (object, "MODULE_ID", "disk");
  json_object_set_string_member (object, "ENTITY_TYPE", (const char *) sqlite3_column_text (stmt, 2));
  json_object_set_string_member (object, "ENTITY_ID", (const char *) sqlite3_column_text (stmt, 3));
  set_int_string (object, "ROOT_OBJECT_ID", sqlite3_column_int64 (stmt, 4));
  return object;
}

/* "Could not find entity with id `X`", with the id as the caller wrote it. */
static void
not_found (B24Reply *reply,
           JsonNode *id_node)
{
  g_autofree char *id = id_node != NULL ? b24_node_dup_string (id_node) : NULL;
  g_autofree char *text = g_strdup_printf ("Could not find entity with id `%s`", id != NULL ? id : "");

  b24_reply_error (reply, 400, "ERROR_NOT_FOUND", text);
}

/* The object @id if it exists with @type ("file", "folder"); else the documented error. */
static gint64
object_id (B24Call    *call,
           B24Reply   *reply,
           const char *type)
{
  JsonNode *node = b24_params_get (call->params, "id", TRUE);
  sqlite3_stmt *stmt;
  gint64 id = 0;
  gboolean found = FALSE;

  if (b24_node_get_int (node, &id))
    {
      stmt = b24_db_prepare (call->emu, "SELECT COUNT(*) FROM disk_object WHERE ID = ? AND TYPE = ?");
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_text (stmt, 2, type, -1, SQLITE_STATIC);
      found = sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int64 (stmt, 0) > 0;
      sqlite3_reset (stmt);
    }
  if (!found)
    {
      not_found (reply, node);
      return 0;
    }
  return id;
}

static gint64
storage_root (B24Emu *emu,
              gint64  storage_id)
{
  return b24_db_query_int (emu, "SELECT ROOT_OBJECT_ID FROM disk_storage WHERE ID = ?", storage_id);
}

static gint64
folder_storage (B24Emu *emu,
                gint64  folder_id)
{
  return b24_db_query_int (emu, "SELECT STORAGE_ID FROM disk_object WHERE ID = ?", folder_id);
}

static gboolean
name_taken (B24Emu     *emu,
            gint64      folder_id,
            const char *name)
{
  sqlite3_stmt *stmt = b24_db_prepare (emu, "SELECT COUNT(*) FROM disk_object WHERE PARENT_ID = ? AND NAME = ?");
  gboolean taken;

  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
  taken = sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int64 (stmt, 0) > 0;
  sqlite3_reset (stmt);
  return taken;
}

/* "photo.jpg" → "photo (1).jpg", "photo (2).jpg"… until the name is free. */
static char *
unique_name (B24Emu     *emu,
             gint64      folder_id,
             const char *name)
{
  const char *dot = strrchr (name, '.');
  g_autofree char *stem = dot != NULL && dot != name ? g_strndup (name, dot - name) : g_strdup (name);
  const char *ext = dot != NULL && dot != name ? dot : "";

  if (!name_taken (emu, folder_id, name))
    return g_strdup (name);
  for (guint i = 1; i < 100000; i++)
    {
      char *candidate = g_strdup_printf ("%s (%u)%s", stem, i, ext);

      if (!name_taken (emu, folder_id, candidate))
        return candidate;
      g_free (candidate);
    }
  return g_strdup (name);
}

static gint64
insert_object (B24Emu     *emu,
               const char *type,
               const char *name,
               gint64      parent,
               gint64      file_id,
               gint64      size,
               gint64      user_id)
{
  gint64 now = (gint64) b24_time_now ();
  gint64 id;
  g_autofree char *token = g_str_equal (type, "file") ? random_hex () : NULL;
  sqlite3_stmt *stmt = b24_db_prepare (emu, "INSERT INTO disk_object (TYPE, NAME, PARENT_ID, STORAGE_ID, FILE_ID, SIZE,"
                                            " CREATED_BY, CREATE_TIME, UPDATE_TIME, TOKEN)"
                                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)");

  sqlite3_bind_text (stmt, 1, type, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, parent);
  sqlite3_bind_int64 (stmt, 4, folder_storage (emu, parent));
  if (file_id > 0)
    {
      sqlite3_bind_int64 (stmt, 5, file_id);
      sqlite3_bind_int64 (stmt, 6, size);
    }
  sqlite3_bind_int64 (stmt, 7, user_id);
  sqlite3_bind_int64 (stmt, 8, now);
  sqlite3_bind_text (stmt, 9, token, -1, SQLITE_TRANSIENT);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
  id = sqlite3_last_insert_rowid (emu->db);
  stmt = b24_db_prepare (emu, "UPDATE disk_object SET UPDATE_TIME = ? WHERE ID = ?");
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_int64 (stmt, 2, parent);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
  return id;
}

gint64
b24_disk_store_content (B24Emu       *emu,
                        const char   *name,
                        const guchar *content,
                        gsize         size)
{
  sqlite3_stmt *stmt = b24_db_prepare (emu, "INSERT INTO file (NAME, CONTENT) VALUES (?, ?)");

  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 2, content != NULL ? (const void *) content : "", size, SQLITE_TRANSIENT);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
  return sqlite3_last_insert_rowid (emu->db);
}

/* Stores a file in @folder_id; returns the object ID, or 0 with @reply set. */
gint64
b24_disk_save_file (B24Emu     *emu,
                    gint64      folder_id,
                    const char *name,
                    const char *base64,
                    gboolean    unique,
                    gint64      user_id,
                    B24Reply   *reply)
{
  g_autofree char *final_name = NULL;
  g_autofree guchar *content = NULL;
  gsize size = 0;
  gint64 file_id;

  if (name == NULL || name[0] == '\0')
    {
      b24_reply_error (reply, 400, "DISK_BASE_SERVICE_22001", "The file name is not specified");
      return 0;
    }
  if (strchr (name, '/') != NULL || strchr (name, '\\') != NULL)
    {
      b24_reply_error (reply, 400, "ERROR_ARGUMENT", "Invalid file name");
      return 0;
    }
  if (name_taken (emu, folder_id, name) && !unique)
    {
      b24_reply_error (reply, 400, "ERROR_COULD_NOT_SAVE_FILE",
                       "Could not save file: a file or folder with this name already exists");
      return 0;
    }
  final_name = unique_name (emu, folder_id, name);
  if (base64 != NULL)
    content = g_base64_decode (base64, &size);
  file_id = b24_disk_store_content (emu, final_name, content, size);
  return insert_object (emu, "file", final_name, folder_id, file_id, size, user_id);
}

static JsonObject *
data_param (B24Call *call)
{
  return b24_params_get_object (call->params, "data", TRUE);
}

static gboolean
unique_param (B24Call *call)
{
  gboolean unique = FALSE;

  b24_node_get_bool (b24_params_get (call->params, "generateUniqueName", TRUE), &unique);
  return unique;
}

/* The upload itself, shared by disk.folder.uploadfile and disk.storage.uploadfile. */
static void
upload_to (B24Call  *call,
           B24Reply *reply,
           gint64    folder_id)
{
  JsonObject *data = data_param (call);
  g_autofree char *name = data != NULL ? b24_node_dup_string (json_object_get_member (data, "NAME")) : NULL;
  JsonNode *content = b24_params_get (call->params, "fileContent", TRUE);
  g_autoptr(GPtrArray) parts = b24_node_list (content);
  gint64 id;

  if (content == NULL)
    {
      /* Two steps: answer an upload URL; the multipart POST to it stores the file. */
      g_autofree char *token = random_hex ();
      g_autofree char *url = g_strdup_printf ("%s/rest/upload.json?auth=%s&token=%s", call->emu->base_url, token, token);
      sqlite3_stmt *stmt = b24_db_prepare (call->emu, "INSERT INTO disk_upload (TOKEN, FOLDER_ID, NAME, UNIQUE_NAME,"
                                                      " USER_ID, CREATED) VALUES (?, ?, ?, ?, ?, ?)");
      JsonObject *result = json_object_new ();

      sqlite3_bind_text (stmt, 1, token, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, folder_id);
      sqlite3_bind_text (stmt, 3, name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (stmt, 4, unique_param (call));
      sqlite3_bind_int64 (stmt, 5, call->user_id);
      sqlite3_bind_int64 (stmt, 6, (gint64) b24_time_now ());
      sqlite3_step (stmt);
      sqlite3_reset (stmt);
      json_object_set_string_member (result, "field", "file");
      json_object_set_string_member (result, "uploadUrl", url);
      b24_reply_set_result (reply, b24_node_take_object (result));
      return;
    }
  if (parts->len != 2 || !b24_node_is_scalar (parts->pdata[0]) || !b24_node_is_scalar (parts->pdata[1]))
    {
      b24_reply_error (reply, 400, "ERROR_ARGUMENT", "Invalid value of parameter {fileContent}");
      return;
    }
  if (name == NULL)
    name = b24_node_dup_string (parts->pdata[0]);
  {
    g_autofree char *b64 = b24_node_dup_string (parts->pdata[1]);

    id = b24_disk_save_file (call->emu, folder_id, name, b64, unique_param (call), call->user_id, reply);
  }
  if (id > 0)
    b24_reply_set_result (reply, b24_node_take_object (object_json (call->emu, id, FALSE)));
}

static void
folder_uploadfile (B24Call  *call,
                   B24Reply *reply)
{
  gint64 folder = object_id (call, reply, "folder");

  if (folder > 0)
    upload_to (call, reply, folder);
}

static gint64
storage_id (B24Call  *call,
            B24Reply *reply)
{
  JsonNode *node = b24_params_get (call->params, "id", TRUE);
  gint64 id = 0;

  if (!b24_node_get_int (node, &id) || storage_root (call->emu, id) == 0)
    {
      not_found (reply, node);
      return 0;
    }
  return id;
}

static void
storage_uploadfile (B24Call  *call,
                    B24Reply *reply)
{
  gint64 storage = storage_id (call, reply);

  if (storage > 0)
    upload_to (call, reply, storage_root (call->emu, storage));
}

static void
folder_addsubfolder (B24Call  *call,
                     B24Reply *reply)
{
  gint64 parent = object_id (call, reply, "folder");
  JsonObject *data = data_param (call);
  g_autofree char *name = NULL;
  gint64 id;

  if (parent == 0)
    return;
  name = data != NULL ? b24_node_dup_string (json_object_get_member (data, "NAME")) : NULL;
  if (name == NULL || name[0] == '\0')
    {
      b24_reply_error (reply, 400, "DISK_BASE_SERVICE_22001", "The folder name is not specified");
      return;
    }
  if (name_taken (call->emu, parent, name))
    {
      b24_reply_error (reply, 400, "DISK_OBJ_22000", "A file or folder with this name already exists");
      return;
    }
  id = insert_object (call->emu, "folder", name, parent, 0, 0, call->user_id);
  b24_reply_set_result (reply, b24_node_take_object (object_json (call->emu, id, FALSE)));
}

static void
reply_object_strings (B24Call    *call,
                      B24Reply   *reply,
                      const char *type)
{
  gint64 id = object_id (call, reply, type);

  if (id > 0)
    b24_reply_set_result (reply, b24_node_take_object (object_json (call->emu, id, TRUE)));
}

static void
file_get (B24Call  *call,
          B24Reply *reply)
{
  reply_object_strings (call, reply, "file");
}

static void
folder_get (B24Call  *call,
            B24Reply *reply)
{
  reply_object_strings (call, reply, "folder");
}

static void
children_of (B24Call  *call,
             B24Reply *reply,
             gint64    folder)
{
  sqlite3_stmt *stmt = b24_db_prepare (call->emu, "SELECT ID FROM disk_object WHERE PARENT_ID = ? ORDER BY ID");
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  JsonArray *rows = json_array_new ();

  sqlite3_bind_int64 (stmt, 1, folder);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);
  for (guint i = 0; i < ids->len; i++)
    json_array_add_object_element (rows, object_json (call->emu, g_array_index (ids, gint64, i), TRUE));
  b24_reply_set_result (reply, b24_node_take_array (rows));
  reply->total = ids->len;
}

static void
folder_getchildren (B24Call  *call,
                    B24Reply *reply)
{
  gint64 folder = object_id (call, reply, "folder");

  if (folder > 0)
    children_of (call, reply, folder);
}

static void
storage_getchildren (B24Call  *call,
                     B24Reply *reply)
{
  gint64 storage = storage_id (call, reply);

  if (storage > 0)
    children_of (call, reply, storage_root (call->emu, storage));
}

static void
file_delete (B24Call  *call,
             B24Reply *reply)
{
  gint64 id = object_id (call, reply, "file");
  sqlite3_stmt *stmt;

  if (id == 0)
    return;
  stmt = b24_db_prepare (call->emu, "DELETE FROM disk_object WHERE ID = ?");
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_step (stmt);
  sqlite3_reset (stmt);
  b24_reply_set_true (reply);
}

static void
storage_getlist (B24Call  *call,
                 B24Reply *reply)
{
  sqlite3_stmt *stmt = b24_db_prepare (call->emu, "SELECT ID, NAME, ENTITY_TYPE, ENTITY_ID, ROOT_OBJECT_ID"
                                                  " FROM disk_storage WHERE ENTITY_TYPE <> 'restapp' ORDER BY ID");
  JsonArray *rows = json_array_new ();
  JsonObject *filter = b24_params_get_object (call->params, "filter", TRUE);
  g_autofree char *want_type = filter != NULL ? b24_node_dup_string (json_object_get_member (filter, "ENTITY_TYPE")) : NULL;
  g_autofree char *want_id = filter != NULL ? b24_node_dup_string (json_object_get_member (filter, "ENTITY_ID")) : NULL;
  gint64 total = 0;

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      if (want_type != NULL && g_strcmp0 (want_type, (const char *) sqlite3_column_text (stmt, 2)) != 0)
        continue;
      if (want_id != NULL && g_strcmp0 (want_id, (const char *) sqlite3_column_text (stmt, 3)) != 0)
        continue;
      json_array_add_object_element (rows, storage_json (stmt));
      total++;
    }
  sqlite3_reset (stmt);
  b24_reply_set_result (reply, b24_node_take_array (rows));
  reply->total = total;
}

static void
storage_get (B24Call  *call,
             B24Reply *reply)
{
  gint64 id = storage_id (call, reply);
  sqlite3_stmt *stmt;

  if (id == 0)
    return;
  stmt = b24_db_prepare (call->emu, "SELECT ID, NAME, ENTITY_TYPE, ENTITY_ID, ROOT_OBJECT_ID FROM disk_storage WHERE ID = ?");
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    b24_reply_set_result (reply, b24_node_take_object (storage_json (stmt)));
  sqlite3_reset (stmt);
}

/* The application's own storage, made on first use. */
static void
storage_getforapp (B24Call  *call,
                   B24Reply *reply)
{
  gint64 id = b24_db_query_int (call->emu, "SELECT ID FROM disk_storage WHERE ENTITY_TYPE = 'restapp' AND ? >= 0", 0);
  sqlite3_stmt *stmt;

  if (id == 0)
    {
      gint64 now = (gint64) b24_time_now ();

      stmt = b24_db_prepare (call->emu, "INSERT INTO disk_storage (NAME, ENTITY_TYPE, ENTITY_ID) VALUES"
                                        " ('Sdelka', 'restapp', '1')");
      sqlite3_step (stmt);
      sqlite3_reset (stmt);
      id = sqlite3_last_insert_rowid (call->emu->db);
      stmt = b24_db_prepare (call->emu, "INSERT INTO disk_object (TYPE, NAME, PARENT_ID, STORAGE_ID, CREATED_BY,"
                                        " CREATE_TIME, UPDATE_TIME) VALUES ('folder', 'Sdelka', NULL, ?, ?, ?, ?)");
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_int64 (stmt, 2, call->user_id);
      sqlite3_bind_int64 (stmt, 3, now);
      sqlite3_bind_int64 (stmt, 4, now);
      sqlite3_step (stmt);
      sqlite3_reset (stmt);
      stmt = b24_db_prepare (call->emu, "UPDATE disk_storage SET ROOT_OBJECT_ID = ? WHERE ID = ?");
      sqlite3_bind_int64 (stmt, 1, sqlite3_last_insert_rowid (call->emu->db));
      sqlite3_bind_int64 (stmt, 2, id);
      sqlite3_step (stmt);
      sqlite3_reset (stmt);
    }
  stmt = b24_db_prepare (call->emu, "SELECT ID, NAME, ENTITY_TYPE, ENTITY_ID, ROOT_OBJECT_ID FROM disk_storage WHERE ID = ?");
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    b24_reply_set_result (reply, b24_node_take_object (storage_json (stmt)));
  sqlite3_reset (stmt);
}

static const B24Method disk_methods[] = {
  { "disk.storage.getlist", "disk", storage_getlist },
  { "disk.storage.get", "disk", storage_get },
  { "disk.storage.getforapp", "disk", storage_getforapp, B24_METHOD_APP_ONLY },
  { "disk.storage.getchildren", "disk", storage_getchildren },
  { "disk.storage.uploadfile", "disk", storage_uploadfile, B24_METHOD_NO_BATCH },
  { "disk.folder.get", "disk", folder_get },
  { "disk.folder.getchildren", "disk", folder_getchildren },
  { "disk.folder.addsubfolder", "disk", folder_addsubfolder },
  { "disk.folder.uploadfile", "disk", folder_uploadfile, B24_METHOD_NO_BATCH },
  { "disk.file.get", "disk", file_get },
  { "disk.file.delete", "disk", file_delete },
};

void
b24_disk_register (B24Emu *emu)
{
  b24_emu_add_methods (emu, disk_methods, G_N_ELEMENTS (disk_methods));
}

/* HTTP endpoints that are not REST methods. */

static void
respond_not_found (SoupServerMessage *msg)
{
  static const char html[] = "<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found"
                             "</h1></center><hr><center>nginx</center></body></html>\n";

  soup_server_message_set_status (msg, 404, NULL);
  soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, html, sizeof html - 1);
}

static void
respond_file (B24Emu            *emu,
              SoupServerMessage *msg,
              gint64             file_id,
              const char        *name)
{
  sqlite3_stmt *stmt = b24_db_prepare (emu, "SELECT CONTENT FROM file WHERE ID = ?");
  g_autofree char *type = NULL;
  g_autofree char *mime = NULL;
  g_autoptr(GHashTable) disposition = g_hash_table_new (g_str_hash, g_str_equal);

  sqlite3_bind_int64 (stmt, 1, file_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      respond_not_found (msg);
      return;
    }
  type = g_content_type_guess (name, NULL, 0, NULL);
  mime = g_content_type_get_mime_type (type);
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, mime != NULL ? mime : "application/octet-stream", SOUP_MEMORY_COPY,
                                    sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  sqlite3_reset (stmt);
  g_hash_table_insert (disposition, "filename", (gpointer) name);
  soup_message_headers_set_content_disposition (soup_server_message_get_response_headers (msg), "attachment",
                                                disposition);
}

/* GET /rest/download.json?token=disk|<token>: a drive file's bytes. */
void
b24_disk_handle_download (B24Emu            *emu,
                          SoupServerMessage *msg,
                          JsonObject        *params)
{
  const char *token = json_object_get_string_member_with_default (params, "token", "");
  sqlite3_stmt *stmt;
  gint64 file_id = 0;
  g_autofree char *name = NULL;

  if (g_str_has_prefix (token, "disk|"))
    token += strlen ("disk|");
  stmt = b24_db_prepare (emu, "SELECT FILE_ID, NAME FROM disk_object WHERE TOKEN = ? AND TYPE = 'file'");
  sqlite3_bind_text (stmt, 1, token, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      file_id = sqlite3_column_int64 (stmt, 0);
      name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
    }
  sqlite3_reset (stmt);
  if (file_id == 0)
    {
      respond_not_found (msg);
      return;
    }
  respond_file (emu, msg, file_id, name);
}

/* GET /rest/file.json?id=N: a file kept by a timeline comment or a file user field. */
void
b24_disk_handle_file (B24Emu            *emu,
                      SoupServerMessage *msg,
                      JsonObject        *params)
{
  gint64 id = 0;
  sqlite3_stmt *stmt;
  g_autofree char *name = NULL;

  b24_node_get_int (json_object_get_member (params, "id"), &id);
  stmt = b24_db_prepare (emu, "SELECT NAME FROM file WHERE ID = ?");
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (name == NULL)
    {
      respond_not_found (msg);
      return;
    }
  respond_file (emu, msg, id, name);
}

/* POST /rest/upload.json?token=…: the second step of a two-step upload, the file in the
 * multipart field "file"; answers the file object in the REST envelope. */
void
b24_disk_handle_upload (B24Emu            *emu,
                        SoupServerMessage *msg,
                        JsonObject        *params)
{
  const char *token = json_object_get_string_member_with_default (params, "token", "");
  g_autoptr(GPtrArray) parts = b24_node_list (json_object_get_member (params, "file"));
  sqlite3_stmt *stmt = b24_db_prepare (emu, "SELECT FOLDER_ID, NAME, UNIQUE_NAME, USER_ID FROM disk_upload WHERE TOKEN = ?");
  gint64 folder = 0, user = 0, id = 0;
  gboolean unique = FALSE;
  g_autofree char *name = NULL;
  double start = b24_time_now ();
  g_autoptr(JsonNode) body = NULL;
  B24Reply reply;

  sqlite3_bind_text (stmt, 1, token, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      folder = sqlite3_column_int64 (stmt, 0);
      name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      unique = sqlite3_column_int (stmt, 2);
      user = sqlite3_column_int64 (stmt, 3);
    }
  sqlite3_reset (stmt);
  b24_reply_init (&reply);
  if (folder == 0)
    b24_reply_error (&reply, 401, "INVALID_CREDENTIALS", "Invalid request credentials");
  else if (parts->len != 2)
    b24_reply_error (&reply, 400, "ERROR_ARGUMENT", "The file is missing from field \"file\"");
  else
    {
      g_autofree char *b64 = b24_node_dup_string (parts->pdata[1]);

      if (name == NULL || name[0] == '\0')
        {
          g_free (name);
          name = b24_node_dup_string (parts->pdata[0]);
        }
      id = b24_disk_save_file (emu, folder, name, b64, unique, user, &reply);
      if (id > 0)
        {
          /* An upload URL is good for one file. */
          stmt = b24_db_prepare (emu, "DELETE FROM disk_upload WHERE TOKEN = ?");
          sqlite3_bind_text (stmt, 1, token, -1, SQLITE_TRANSIENT);
          sqlite3_step (stmt);
          sqlite3_reset (stmt);
          b24_reply_set_result (&reply, b24_node_take_object (object_json (emu, id, FALSE)));
        }
    }
  body = b24_envelope_build (&reply, b24_envelope_time (emu, start, b24_time_now (), 0, (gint64) start + 600));
  b24_server_respond_json (msg, reply.status != 0 ? reply.status : 200, body);
  b24_reply_clear (&reply);
}

JsonObject *
b24_disk_file_json (B24Emu *emu,
                    gint64  id)
{
  return object_json (emu, id, TRUE);
}
