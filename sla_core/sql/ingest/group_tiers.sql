-- Every given tier outside the $kept ones becomes $other, so pages offer a bounded set of tiers.
UPDATE leads_next SET tier = $other
WHERE nullif(trim(tier), '') IS NOT NULL AND NOT list_contains($kept, lower(trim(tier)));
