-- A field the export lacks, added empty to a typed stage; {{type}} is the field's type in the
-- contract (a type name, quoted like an identifier).
ALTER TABLE {{table}} ADD COLUMN {{column}} {{type}};
