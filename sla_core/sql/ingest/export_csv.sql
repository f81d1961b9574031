-- The export as every scan reads it (included inside read_csv(…)): the delimiter and header row
-- sniffing found, every column as text under a generated name (c0, c1 …), our null spellings. Archives
-- were unpacked by decode (by their bytes): a name ending in .gz says nothing, so nothing is decompressed.
$path, delim = $delim, quote = '"', escape = '"', header = false, skip = $skip, columns = $columns,
auto_detect = false, nullstr = $nulls, max_line_size = $max_line, null_padding = false, compression = 'none'
