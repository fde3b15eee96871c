-- Demo knowledge base for "FreshCart", a fictional grocery delivery company, so a fresh install has
-- something to search and the chat has something to answer from. Fixed ids and INSERT OR IGNORE make it
-- idempotent; an entry edited or deleted through the API stays that way. To replace the demo with your
-- own content, edit it through the API (PATCH/DELETE /api/v1/faqs/{id}) or add a later migration:
-- an applied migration never runs again, so editing this file changes only new databases.
-- Ids share the prefix fc0fa000-0000-4000-8000- so the whole demo can be removed with one DELETE.
INSERT OR IGNORE INTO faqs (id, question, answer, tags, published) VALUES
(
	'fc0fa000-0000-4000-8000-000000000001',
	'What are your delivery hours?',
	'We deliver every day, weekends included, from 7:00 to 22:00. You pick a one-hour delivery slot at checkout; orders placed before 14:00 can still get a same-day slot. On 25 December and 1 January we do not deliver.',
	'["delivery","hours","schedule"]',
	1
),
(
	'fc0fa000-0000-4000-8000-000000000002',
	'Which areas do you deliver to?',
	'We cover the city and the suburbs within about 25 km of our two warehouses. Enter your postcode on the home page or at checkout to see whether your address is covered and which slots are open.',
	'["delivery","areas","postcode"]',
	1
),
(
	'fc0fa000-0000-4000-8000-000000000003',
	'Where is my order and how can I track it?',
	'Open Orders in the app or on the website to see its status: received, being picked, out for delivery or delivered. When the driver sets off you get a text message with a live tracking link and an estimated arrival time.',
	'["order","tracking","status"]',
	1
),
(
	'fc0fa000-0000-4000-8000-000000000004',
	'What if an item in my order is missing, damaged or broken?',
	'Tell us within 48 hours of delivery: open the order, choose "Report a problem", select the items and add a photo of anything damaged. We refund missing, damaged or spoiled items in full, and you do not need to return them.',
	'["refund","missing-items","damaged"]',
	1
),
(
	'fc0fa000-0000-4000-8000-000000000005',
	'How long does a refund take?',
	'Refunds to your FreshCart credit are instant. Refunds to your card are issued within 24 hours and usually show on your statement within 3 to 5 business days, depending on your bank.',
	'["refund","payment"]',
	1
),
(
	'fc0fa000-0000-4000-8000-000000000006',
	'How do I cancel my order?',
	'Open Orders, select the order and choose "Cancel order". Cancelling is free until 23:00 the day before delivery, or until 2 hours before a same-day slot. After that your groceries are being picked and the order can no longer be cancelled, but you can refuse any item at the door.',
	'["order","cancel"]',
	1
),
(
	'fc0fa000-0000-4000-8000-000000000007',
	'Can I change my delivery slot?',
	'Yes, while the order can still be edited (until 23:00 the day before delivery): open Orders, select the order and choose "Change slot". If the new slot has a different delivery fee, we charge or refund the difference.',
	'["delivery","slot","reschedule"]',
	1
),
(
	'fc0fa000-0000-4000-8000-000000000008',
	'What happens if an item is out of stock?',
	'If a product is unavailable, our pickers choose a similar one of the same or better quality, and you never pay more than for the original. You can switch substitutions off for single items or for the whole order at checkout, and you can refuse a substitute at the door for a full refund.',
	'["substitutions","out-of-stock"]',
	1
),
(
	'fc0fa000-0000-4000-8000-000000000009',
	'Is there a minimum order?',
	'Yes: the minimum order is $25 of groceries, before discounts and the delivery fee. Your basket shows how much is left to reach it.',
	'["minimum-order","basket"]',
	1
),
(
	'fc0fa000-0000-4000-8000-000000000010',
	'Which payment methods do you accept?',
	'We accept Visa, Mastercard and American Express credit and debit cards, Apple Pay, Google Pay and FreshCart gift cards. We reserve the amount on your card when you order and charge the final amount after delivery, so removed or refused items are never charged.',
	'["payment","cards","apple-pay","google-pay"]',
	1
),
(
	'fc0fa000-0000-4000-8000-000000000011',
	'How do I use a promo code?',
	'Enter the code in the "Promo code" field at checkout and tap Apply: the discount shows before you pay. One code per order; codes cannot be combined and do not cover delivery fees unless they say so. If a code is refused, check its expiry date and minimum spend.',
	'["promo-code","discount","voucher"]',
	1
),
(
	'fc0fa000-0000-4000-8000-000000000012',
	'How do I delete my account and data?',
	'Go to Account, then Privacy, then "Delete account". We erase your profile, addresses and saved cards within 30 days. Invoices and payment records that tax law requires us to keep are retained for the legal period and then deleted. You can download a copy of your data from the same page first.',
	'["account","privacy","data"]',
	1
),
(
	'fc0fa000-0000-4000-8000-000000000013',
	'How can I contact customer support?',
	'You can chat with us here at any time. Our support team also answers the phone on 0800 123 456 every day from 8:00 to 20:00, and emails to help@freshcart.example within 24 hours.',
	'["support","contact","help"]',
	1
),
(
	'fc0fa000-0000-4000-8000-000000000014',
	'How do I change my delivery address?',
	'Add or edit addresses under Account, then Addresses. For an order already placed, open it and choose "Change address" until 23:00 the day before delivery; the new address must be in our delivery area.',
	'["delivery","address","account"]',
	1
),
(
	'fc0fa000-0000-4000-8000-000000000015',
	'How much does delivery cost?',
	'Delivery costs $3.99, or $1.99 for off-peak slots (7:00 to 10:00 and 20:00 to 22:00), and is free on orders over $60. FreshCart Plus members get free delivery on every order over $25.',
	'["delivery-fee","pricing"]',
	1
);
