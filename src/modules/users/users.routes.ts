import { createRoute, z } from '@hono/zod-openapi';
import { authErrors, bearerSecurity, errorResponse, jsonBody, jsonContent } from '../../lib/common-schemas';
import { TokenResponseSchema, UserSchema } from '../auth/auth.schemas';
import { guard } from '../auth/authenticate';
import {
  ChangePasswordSchema,
  ChangeRoleSchema,
  ChangeStatusSchema,
  ListUsersQuerySchema,
  SessionIdParamSchema,
  SessionListSchema,
  SessionsEndedSchema,
  UpdateMeSchema,
  UserIdParamSchema,
  UserListSchema,
} from './users.schemas';

const tags = ['Users'];
const security = bearerSecurity;
const UserResponse = jsonContent(z.object({ user: UserSchema }), 'The user.');

export const getMe = createRoute({
  method: 'get',
  path: '/api/v1/users/me',
  tags,
  security,
  summary: 'Your profile',
  middleware: guard('self:read'),
  responses: { 200: UserResponse, ...authErrors },
});

export const updateMe = createRoute({
  method: 'patch',
  path: '/api/v1/users/me',
  tags,
  security,
  summary: 'Change your name or username',
  middleware: guard('self:write'),
  request: { body: jsonBody(UpdateMeSchema) },
  responses: {
    200: UserResponse,
    400: errorResponse('Invalid input.'),
    409: errorResponse('Username taken.'),
    ...authErrors,
  },
});

export const changeMyPassword = createRoute({
  method: 'post',
  path: '/api/v1/users/me/password',
  tags,
  security,
  summary: 'Change your password',
  description:
    'Requires the current password. Ends every other session at once (their access tokens are refused from the ' +
    'next request); this session and its tokens stay valid, and the answer carries a fresh access token for it.',
  middleware: guard('self:write'),
  request: { body: jsonBody(ChangePasswordSchema) },
  responses: {
    200: jsonContent(TokenResponseSchema, 'Changed; use the new access token.'),
    400: errorResponse('Wrong current password or a new password the policy refuses.'),
    ...authErrors,
  },
});

export const listMySessions = createRoute({
  method: 'get',
  path: '/api/v1/users/me/sessions',
  tags,
  security,
  summary: 'Your signed-in sessions',
  description: 'Live sessions only (not signed out, not expired), newest first; `current` marks this one.',
  middleware: guard('self:read'),
  responses: { 200: jsonContent(SessionListSchema, 'Your sessions.'), ...authErrors },
});

export const endMySession = createRoute({
  method: 'delete',
  path: '/api/v1/users/me/sessions/{id}',
  tags,
  security,
  summary: 'Sign out one of your sessions',
  description: 'Its refresh token and access tokens stop working at once. Ending the current one signs you out.',
  middleware: guard('self:write'),
  request: { params: SessionIdParamSchema },
  responses: {
    204: { description: 'Ended.' },
    404: errorResponse('No live session of yours has this id.'),
    ...authErrors,
  },
});

export const endMyOtherSessions = createRoute({
  method: 'delete',
  path: '/api/v1/users/me/sessions',
  tags,
  security,
  summary: 'Sign out everywhere else',
  description: 'Ends every session except the current one, at once. Answers how many ended (0 is a success too).',
  middleware: guard('self:write'),
  responses: { 200: jsonContent(SessionsEndedSchema, 'The other sessions have ended.'), ...authErrors },
});

export const listUsers = createRoute({
  method: 'get',
  path: '/api/v1/users',
  tags,
  security,
  summary: 'List users',
  middleware: guard('users:read'),
  request: { query: ListUsersQuerySchema },
  responses: { 200: jsonContent(UserListSchema, 'One page of users, newest first.'), ...authErrors },
});

export const getUserById = createRoute({
  method: 'get',
  path: '/api/v1/users/{id}',
  tags,
  security,
  summary: 'One user',
  middleware: guard('users:read'),
  request: { params: UserIdParamSchema },
  responses: { 200: UserResponse, 404: errorResponse('No such user.'), ...authErrors },
});

export const changeRole = createRoute({
  method: 'patch',
  path: '/api/v1/users/{id}/role',
  tags,
  security,
  summary: 'Change a user’s role (admin)',
  description: 'Their existing access tokens stop working at once. The last active admin cannot be demoted.',
  middleware: guard('users:manage'),
  request: { params: UserIdParamSchema, body: jsonBody(ChangeRoleSchema) },
  responses: {
    200: UserResponse,
    404: errorResponse('No such user.'),
    409: errorResponse('Last admin.'),
    ...authErrors,
  },
});

export const changeStatus = createRoute({
  method: 'patch',
  path: '/api/v1/users/{id}/status',
  tags,
  security,
  summary: 'Activate or deactivate a user (admin)',
  description: 'Deactivation ends all of the user’s sessions and tokens at once.',
  middleware: guard('users:manage'),
  request: { params: UserIdParamSchema, body: jsonBody(ChangeStatusSchema) },
  responses: {
    200: UserResponse,
    404: errorResponse('No such user.'),
    409: errorResponse('Self or last admin.'),
    ...authErrors,
  },
});

export const unlockUser = createRoute({
  method: 'post',
  path: '/api/v1/users/{id}/unlock',
  tags,
  security,
  summary: 'Lift a login lockout (moderator, admin)',
  middleware: guard('users:write'),
  request: { params: UserIdParamSchema },
  responses: { 200: UserResponse, 404: errorResponse('No such user.'), ...authErrors },
});

export const deleteUser = createRoute({
  method: 'delete',
  path: '/api/v1/users/{id}',
  tags,
  security,
  summary: 'Delete a user (admin)',
  description: 'Removes the account and its sessions. Admins cannot delete themselves or the last admin.',
  middleware: guard('users:manage'),
  request: { params: UserIdParamSchema },
  responses: {
    204: { description: 'Deleted.' },
    404: errorResponse('No such user.'),
    409: errorResponse('Self or last admin.'),
    ...authErrors,
  },
});
