-- Issue 11. The default tree grows to about forty categories, so that common spending has a
-- place of its own. A name the user already has is left alone (OR IGNORE), and a child is
-- added only under a parent that still has its default name.
INSERT OR IGNORE INTO category (parent_id, name, full_name, kind) VALUES
    (NULL, 'Personal Care',     'Personal Care',     'expense'),
    (NULL, 'Education',         'Education',         'expense'),
    (NULL, 'Gifts & Donations', 'Gifts & Donations', 'expense'),
    (NULL, 'Insurance',         'Insurance',         'expense'),
    (NULL, 'Taxes',             'Taxes',             'expense'),
    (NULL, 'Pets',              'Pets',              'expense'),
    (NULL, 'Cash',              'Cash',              'expense');

INSERT OR IGNORE INTO category (parent_id, name, full_name, kind)
SELECT p.id, c.name, p.full_name || ':' || c.name, p.kind
FROM (
              SELECT 'Income' AS parent, 'Refunds' AS name
    UNION ALL SELECT 'Housing',   'Maintenance'
    UNION ALL SELECT 'Transport', 'Parking'
    UNION ALL SELECT 'Transport', 'Rideshare'
    UNION ALL SELECT 'Shopping',  'Clothing'
    UNION ALL SELECT 'Shopping',  'Household'
    UNION ALL SELECT 'Health',    'Pharmacy'
    UNION ALL SELECT 'Health',    'Fitness'
    UNION ALL SELECT 'Travel',    'Lodging'
    UNION ALL SELECT 'Transfer',  'Savings'
) AS c
JOIN category p ON p.full_name = c.parent;
