-- Tables a load that failed half-way may have left; the loaded leads and activities stay.
DROP TABLE IF EXISTS leads_next;
DROP TABLE IF EXISTS activities_next;
