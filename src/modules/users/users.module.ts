import { Module } from '@nestjs/common';
import { UsersGrpcController } from './users.grpc.controller';
import { UsersHttpController } from './users.http.controller';
import { DrizzleUsersRepository, UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  controllers: [UsersHttpController, UsersGrpcController],
  providers: [UsersService, { provide: UsersRepository, useClass: DrizzleUsersRepository }],
})
export class UsersModule {}
