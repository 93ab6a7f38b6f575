/* b24-crm-contact.c: crm.contact.* — fields; the shared handlers do the rest.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "b24-entity.h"

#define RO B24_FIELD_READONLY

static const B24Field contact_fields[] = {
  { "ID", B24_FIELD_ID, "integer", RO, "ID" },
  { "POST", B24_FIELD_STRING, "string", 0, "Должность" },
  { "COMMENTS", B24_FIELD_STRING, "string", 0, "Комментарий" },
  { "HONORIFIC", B24_FIELD_STRING, "crm_status", 0, "Обращение", "HONORIFIC" },
  { "NAME", B24_FIELD_STRING, "string", 0, "Имя" },
  { "SECOND_NAME", B24_FIELD_STRING, "string", 0, "Отчество" },
  { "LAST_NAME", B24_FIELD_STRING, "string", 0, "Фамилия" },
  { "PHOTO", B24_FIELD_STRING, "file", RO, "Фотография" },
  { "LEAD_ID", B24_FIELD_INT, "crm_lead", RO, "Лид" },
  { "TYPE_ID", B24_FIELD_STRING, "crm_status", 0, "Тип контакта", "CONTACT_TYPE" },
  { "SOURCE_ID", B24_FIELD_STRING, "crm_status", 0, "Источник", "SOURCE" },
  { "SOURCE_DESCRIPTION", B24_FIELD_STRING, "string", 0, "Дополнительно об источнике" },
  { "COMPANY_ID", B24_FIELD_INT, "crm_company", 0, "Компания" },
  { "BIRTHDATE", B24_FIELD_DATE, "date", 0, "Дата рождения" },
  { "EXPORT", B24_FIELD_CHAR, "char", 0, "Участвует в экспорте контактов" },
  { "HAS_PHONE", B24_FIELD_CHAR, "char", RO, "Задан телефон" },
  { "HAS_EMAIL", B24_FIELD_CHAR, "char", RO, "Задан e-mail" },
  { "HAS_IMOL", B24_FIELD_CHAR, "char", RO, "Задана открытая линия" },
  { "DATE_CREATE", B24_FIELD_DATETIME, "datetime", RO, "Дата создания" },
  { "DATE_MODIFY", B24_FIELD_DATETIME, "datetime", RO, "Дата изменения" },
  { "ASSIGNED_BY_ID", B24_FIELD_INT, "user", 0, "Ответственный" },
  { "CREATED_BY_ID", B24_FIELD_INT, "user", RO, "Кем создан" },
  { "MODIFY_BY_ID", B24_FIELD_INT, "user", RO, "Кем изменён" },
  { "OPENED", B24_FIELD_CHAR, "char", 0, "Доступен для всех" },
  { "ORIGINATOR_ID", B24_FIELD_STRING, "string", 0, "Внешний источник" },
  { "ORIGIN_ID", B24_FIELD_STRING, "string", 0, "Идентификатор во внешнем источнике" },
  { "ORIGIN_VERSION", B24_FIELD_STRING, "string", 0, "Версия во внешнем источнике" },
  { "FACE_ID", B24_FIELD_INT, "integer", RO, "Привязка к лицам" },
  { "LAST_ACTIVITY_TIME", B24_FIELD_DATETIME, "datetime", RO, "Последняя активность" },
  { "ADDRESS", B24_FIELD_STRING, "string", 0, "Улица, дом, корпус, строение" },
  { "ADDRESS_2", B24_FIELD_STRING, "string", 0, "Квартира / офис" },
  { "ADDRESS_CITY", B24_FIELD_STRING, "string", 0, "Город" },
  { "ADDRESS_POSTAL_CODE", B24_FIELD_STRING, "string", 0, "Почтовый индекс" },
  { "ADDRESS_REGION", B24_FIELD_STRING, "string", 0, "Район" },
  { "ADDRESS_PROVINCE", B24_FIELD_STRING, "string", 0, "Область" },
  { "ADDRESS_COUNTRY", B24_FIELD_STRING, "string", 0, "Страна" },
  { "ADDRESS_LOC_ADDR_ID", B24_FIELD_INT, "integer", RO, "Адрес местоположения" },
  { "UTM_SOURCE", B24_FIELD_STRING, "string", 0, "Рекламная система" },
  { "UTM_MEDIUM", B24_FIELD_STRING, "string", 0, "Тип трафика" },
  { "UTM_CAMPAIGN", B24_FIELD_STRING, "string", 0, "Обозначение рекламной кампании" },
  { "UTM_CONTENT", B24_FIELD_STRING, "string", 0, "Содержание кампании" },
  { "UTM_TERM", B24_FIELD_STRING, "string", 0, "Условие поиска кампании" },
  { "LAST_ACTIVITY_BY", B24_FIELD_INT, "user", RO, "Автор последней активности" },
  { "PHONE", B24_FIELD_MULTI, "crm_multifield", 0, "Телефон" },
  { "EMAIL", B24_FIELD_MULTI, "crm_multifield", 0, "E-mail" },
  { "WEB", B24_FIELD_MULTI, "crm_multifield", 0, "Сайт" },
  { "IM", B24_FIELD_MULTI, "crm_multifield", 0, "Мессенджер" },
  { "LINK", B24_FIELD_MULTI, "crm_multifield", 0, "Ссылка" },
  { NULL },
};

static gboolean
contact_prepare (B24Call    *call,
                 gint64      id,
                 GHashTable *values,
                 B24Reply   *reply)
{
  if (id == 0)
    {
      b24_values_default (values, "OPENED", json_node_init_string (json_node_alloc (), "Y"));
      b24_values_default (values, "EXPORT", json_node_init_string (json_node_alloc (), "Y"));
      b24_values_default (values, "TYPE_ID", json_node_init_string (json_node_alloc (), "CLIENT"));
      b24_values_default (values, "ASSIGNED_BY_ID", json_node_init_int (json_node_alloc (), call->user_id));
    }
  return TRUE;
}

const B24Entity b24_entity_contact = {
  .table = "contact",
  .fields = contact_fields,
  .uf_entity = "CRM_CONTACT",
  .mf_entity = "CONTACT",
  .event_prefix = "ONCRMCONTACT",
  .prepare = contact_prepare,
};

static const B24Method contact_methods[] = {
  { "crm.contact.list", "crm", b24_crm_list, 0, &b24_entity_contact },
  { "crm.contact.get", "crm", b24_crm_get, 0, &b24_entity_contact },
  { "crm.contact.add", "crm", b24_crm_add, 0, &b24_entity_contact },
  { "crm.contact.update", "crm", b24_crm_update, 0, &b24_entity_contact },
  { "crm.contact.delete", "crm", b24_crm_delete, 0, &b24_entity_contact },
  { "crm.contact.fields", "crm", b24_crm_fields, 0, &b24_entity_contact },
};

void
b24_crm_contact_register (B24Emu *emu)
{
  b24_emu_add_methods (emu, contact_methods, G_N_ELEMENTS (contact_methods));
}
